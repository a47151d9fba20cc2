# multiprocessing as Python programs use it, natively and on the LWK (95-shared-files):
# two worker processes (fork) add to a shared Value under a Lock (a POSIX semaphore in
# /dev/shm) and answer through Pipes; then mmap of a file, shared.
import mmap
import multiprocessing as mp
import os
import sys


def work(n, total, lock, conn):
    for _ in range(500):
        with lock:
            total.value += n
    conn.send((n, os.getppid() == parent))
    conn.close()


if __name__ == "__main__":
    mp.set_start_method("fork")
    parent = os.getpid()
    total = mp.Value("l", 0, lock=False)
    lock = mp.Lock()
    pipes = [mp.Pipe() for _ in range(2)]
    workers = [mp.Process(target=work, args=(n + 1, total, lock, pipes[n][1])) for n in range(2)]
    for w in workers:
        w.start()
    answers = sorted(pipes[n][0].recv() for n in range(2))
    for w in workers:
        w.join()
    print("workers answered", answers, "exit codes", [w.exitcode for w in workers])
    print("total under the lock", total.value)
    path = os.path.join(sys.argv[1], "mpwork.bin")
    with open(path, "w+b") as f:
        f.truncate(8192)
        m = mmap.mmap(f.fileno(), 8192)
        m[4090:4100] = b"0123456789"
        m.flush()
        f.seek(4090)
        print("mmap shared, read back", f.read(10))
        m.close()
    os.unlink(path)
