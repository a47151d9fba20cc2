// SPDX-License-Identifier: GPL-2.0
/*
 * threads - POSIX threads as a static glibc program uses them, for
 * 91-threads, which runs it natively and on the LWK (mcexec -t N) and
 * compares the output and the exit status.  Every check prints one line,
 * "name: ok" or "name: FAILED why", and only the main thread prints.
 * Nothing printed depends on where it runs (no tids, addresses or times).
 * No case has more than N threads alive at once, the main one included:
 * on the LWK each thread holds a CPU of its own.
 *
 *   threads N                every case; status 0 only if all pass (N >= 2)
 *   threads N exit-group [cond|read]
 *                            a thread calls exit(3) while the main thread waits
 *                            in pthread_cond_wait (cond, the default) or in a
 *                            read of a pipe nobody writes (read), and with
 *                            N >= 3 one more thread waits in the other one
 *   threads 2 linux-kill     the main thread blocks SIGUSR1 and waits in
 *                            pthread_join, the other one waits in a read of a
 *                            pipe nobody writes; once it prints "ready", the
 *                            test sends SIGUSR1 to the process from Linux
 *                            (kill(1)): the reading thread must take it and its
 *                            read end with EINTR (no SA_RESTART)
 *   threads 2 linux-kill FILE
 *                            the same, but the main thread does not block
 *                            SIGUSR1 and the reading thread's tid is written to
 *                            FILE: the test sends SIGUSR1 to that thread
 *                            (tgkill), which must take it with SI_TKILL
 *   threads N beyond         N threads alive, then one more: pthread_create
 *                            must fail with EAGAIN (no LWK CPU is left for
 *                            it); then, the others joined, one more succeeds
 *                            (N >= 2).  Natively the extra thread is created
 *                            and this fails: it is for the LWK only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64
/* The longest any wait for another thread may take: it fails the case, not hangs it. */
#define PATIENCE_SECONDS	30

static int failures;

static void ok(const char *name)
{
	printf("%s: ok\n", name);
}

static void failed(const char *name, const char *why, ...)
{
	va_list ap;

	printf("%s: FAILED ", name);
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

static void expect(const char *name, int good, const char *why)
{
	if (good)
		ok(name);
	else
		failed(name, "%s", why);
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec monotonic_in(int64_t ns)
{
	int64_t at = monotonic_ns() + ns;

	return (struct timespec){ .tv_sec = at / 1000000000LL, .tv_nsec = at % 1000000000LL };
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* sem_wait that a signal does not cut short and that gives up after PATIENCE_SECONDS: 0 or errno */
static int sem_wait_patiently(sem_t *sem)
{
	struct timespec deadline = monotonic_in(PATIENCE_SECONDS * 1000000000LL);

	while (sem_clockwait(sem, CLOCK_MONOTONIC, &deadline))
		if (errno != EINTR)
			return errno;
	return 0;
}

/*
 * A crew: the main thread (member 0) and size - 1 workers (members 1...),
 * each running the case's function with its member number.  The workers
 * wait at a gate until all of them exist, so that a pthread_create that
 * fails leaves no worker waiting for one that never came.
 */
struct crew {
	int started;
	pthread_t threads[MAX_THREADS];
	void *results[MAX_THREADS];
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_moved = PTHREAD_COND_INITIALIZER;
static int gate_state;	/* 0 closed, 1 open, -1 the crew is called off */

static void gate_set(int state)
{
	pthread_mutex_lock(&gate_lock);
	gate_state = state;
	pthread_cond_broadcast(&gate_moved);
	pthread_mutex_unlock(&gate_lock);
}

/* A worker's first step: 1 when the whole crew exists, 0 when it was called off. */
static int gate_pass(void)
{
	int state;

	pthread_mutex_lock(&gate_lock);
	while (gate_state == 0)
		pthread_cond_wait(&gate_moved, &gate_lock);
	state = gate_state;
	pthread_mutex_unlock(&gate_lock);
	return state > 0;
}

static void crew_join(struct crew *c)
{
	for (int i = 1; i < c->started; i++)
		pthread_join(c->threads[i], &c->results[i]);
}

/* Starts the workers of a crew of size; on failure reports it under name and returns 0. */
static int crew_start(struct crew *c, const char *name, int size, void *(*work)(void *))
{
	gate_set(0);
	for (c->started = 1; c->started < size; c->started++) {
		int err = pthread_create(&c->threads[c->started], NULL, work, (void *)(intptr_t)c->started);

		if (err) {
			failed(name, "pthread_create of thread %d of %d: %s", c->started + 1, size, strerror(err));
			gate_set(-1);
			crew_join(c);
			return 0;
		}
	}
	gate_set(1);
	return 1;
}

static int member(void *arg)
{
	return (int)(intptr_t)arg;
}

/* ---- mutex: every thread adds to one counter ---- */

#define ADDS_PER_THREAD	20000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_to_counter(void *arg)
{
	if (member(arg) && !gate_pass())
		return NULL;
	for (int i = 0; i < ADDS_PER_THREAD; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

static void t_mutex(int n)
{
	struct crew c;

	counter = 0;
	if (!crew_start(&c, "mutex", n, add_to_counter))
		return;
	add_to_counter(0);
	crew_join(&c);
	if (counter == (long)n * ADDS_PER_THREAD)
		ok("mutex");
	else
		failed("mutex", "counter %ld, expected %ld", counter, (long)n * ADDS_PER_THREAD);
}

/* ---- condvar: two threads take turns ---- */

#define ROUNDS	2000
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn;
static int out_of_turn;

/* Member m (0 or 1) moves on even or odd turns, ROUNDS times. */
static void *take_turns(void *arg)
{
	int m = member(arg);

	if (m && !gate_pass())
		return NULL;
	pthread_mutex_lock(&turn_lock);
	for (int round = 0; round < ROUNDS; round++) {
		while (turn % 2 != m)
			pthread_cond_wait(&turn_changed, &turn_lock);
		if (turn != 2 * round + m)
			out_of_turn++;
		turn++;
		pthread_cond_signal(&turn_changed);
	}
	pthread_mutex_unlock(&turn_lock);
	return NULL;
}

static void t_condvar(void)
{
	struct crew c;

	turn = 0;
	out_of_turn = 0;
	if (!crew_start(&c, "condvar", 2, take_turns))
		return;
	take_turns(0);
	crew_join(&c);
	if (turn == 2 * ROUNDS && !out_of_turn)
		ok("condvar");
	else
		failed("condvar", "%d turns (expected %d), %d out of turn", turn, 2 * ROUNDS, out_of_turn);
}

/* ---- barrier: every thread sees every other's mark of the round ---- */

#define BARRIER_ROUNDS	50
static pthread_barrier_t barrier;
static int marks[MAX_THREADS];
static int barrier_size, stale_marks, serial_threads;

static void *meet(void *arg)
{
	int m = member(arg);

	if (m && !gate_pass())
		return NULL;
	for (int round = 1; round <= BARRIER_ROUNDS; round++) {
		marks[m] = round;
		if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serial_threads, 1, __ATOMIC_RELAXED);
		for (int other = 0; other < barrier_size; other++)
			if (marks[other] != round)
				__atomic_add_fetch(&stale_marks, 1, __ATOMIC_RELAXED);
		/* nobody marks the next round before all have read this one */
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void t_barrier(int n)
{
	struct crew c;

	barrier_size = n;
	stale_marks = serial_threads = 0;
	memset(marks, 0, sizeof(marks));
	pthread_barrier_init(&barrier, NULL, n);
	if (crew_start(&c, "barrier", n, meet)) {
		meet(0);
		crew_join(&c);
		if (!stale_marks && serial_threads == BARRIER_ROUNDS)
			ok("barrier");
		else
			failed("barrier", "%d stale marks, %d serial threads in %d rounds", stale_marks,
			       serial_threads, BARRIER_ROUNDS);
	}
	pthread_barrier_destroy(&barrier);
}

/* ---- rwlock: readers never see a half-done write; readers share ---- */

#define WRITES	2000
static pthread_rwlock_t pair_lock;
static volatile long pair_a, pair_b;	/* every store made, in order */
static int torn_reads;

/* Reads until the writer is done, so that reads and writes overlap. */
static void *read_pair(void *arg)
{
	int done = 0;

	if (!gate_pass())
		return NULL;
	(void)arg;
	pthread_barrier_wait(&barrier);
	while (!done) {
		pthread_rwlock_rdlock(&pair_lock);
		if (pair_a != pair_b)
			__atomic_add_fetch(&torn_reads, 1, __ATOMIC_RELAXED);
		done = pair_b == WRITES;
		pthread_rwlock_unlock(&pair_lock);
	}
	return NULL;
}

static void write_pairs(void)
{
	pthread_barrier_wait(&barrier);	/* the readers read from the first write on */
	for (int i = 0; i < WRITES; i++) {
		pthread_rwlock_wrlock(&pair_lock);
		pair_a++;
		/* a while torn: a reader let in now would see it */
		for (volatile int spin = 0; spin < 1000; spin++)
			;
		pair_b++;
		pthread_rwlock_unlock(&pair_lock);
	}
}

static pthread_rwlock_t shared_lock = PTHREAD_RWLOCK_INITIALIZER;
static int try_read_result, try_write_result;

/* While the main thread holds shared_lock for reading. */
static void *try_beside_a_reader(void *arg)
{
	if (!gate_pass())
		return NULL;
	(void)arg;
	try_read_result = pthread_rwlock_tryrdlock(&shared_lock);
	if (!try_read_result)
		pthread_rwlock_unlock(&shared_lock);
	try_write_result = pthread_rwlock_trywrlock(&shared_lock);
	if (!try_write_result)
		pthread_rwlock_unlock(&shared_lock);
	return NULL;
}

static void t_rwlock(int n)
{
	pthread_rwlockattr_t attr;
	struct crew c;

	/* writers first: readers that always overlap would starve the writer */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&pair_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_barrier_init(&barrier, NULL, n);
	pair_a = pair_b = 0;
	torn_reads = 0;
	if (crew_start(&c, "rwlock", n, read_pair)) {
		write_pairs();
		crew_join(&c);
		if (!torn_reads && pair_a == WRITES && pair_b == WRITES)
			ok("rwlock");
		else
			failed("rwlock", "%d torn reads, pair %ld %ld after %d writes", torn_reads, pair_a, pair_b,
			       WRITES);
	}
	pthread_barrier_destroy(&barrier);
	pthread_rwlock_destroy(&pair_lock);

	pthread_rwlock_rdlock(&shared_lock);
	if (crew_start(&c, "rwlock shared", 2, try_beside_a_reader)) {
		crew_join(&c);
		if (!try_read_result && try_write_result == EBUSY)
			ok("rwlock shared");
		else
			failed("rwlock shared", "tryrdlock beside a reader: %s, trywrlock: %s",
			       strerror(try_read_result), strerror(try_write_result));
	}
	pthread_rwlock_unlock(&shared_lock);
}

/* ---- __thread: a value per thread, intact after the others ran ---- */

static __thread int tls_value = 42;
static __thread char tls_zero[64];
static int *tls_addresses[MAX_THREADS];
static int tls_fresh[MAX_THREADS];

static int zero_bytes(const char *p, size_t len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

static void *use_tls(void *arg)
{
	int m = member(arg);

	if (m && !gate_pass())
		return NULL;
	tls_fresh[m] = tls_value == 42 && zero_bytes(tls_zero, sizeof(tls_zero));
	tls_value = 1000 + m;
	memset(tls_zero, m + 1, sizeof(tls_zero));
	tls_addresses[m] = &tls_value;
	/* all write before any reads back */
	pthread_barrier_wait(&barrier);
	if (tls_value != 1000 + m || tls_zero[sizeof(tls_zero) - 1] != m + 1)
		return (void *)-1;
	return (void *)(intptr_t)tls_value;
}

static void report_tls(struct crew *c, int n)
{
	int distinct = 1, fresh = 1, intact = tls_value == 1000 && tls_zero[0] == 1;

	for (int i = 0; i < n; i++) {
		fresh &= tls_fresh[i];
		intact &= c->results[i] == (void *)(intptr_t)(1000 + i);
		for (int j = 0; j < i; j++)
			distinct &= tls_addresses[i] != tls_addresses[j];
	}
	if (fresh && distinct && intact)
		ok("tls");
	else
		failed("tls", "initial values %s, addresses %s, values after the join %s", fresh ? "right" : "wrong",
		       distinct ? "distinct" : "shared", intact ? "intact" : "changed");
}

static void t_tls(int n)
{
	struct crew c;

	pthread_barrier_init(&barrier, NULL, n);
	if (crew_start(&c, "tls", n, use_tls)) {
		c.results[0] = use_tls(0);
		crew_join(&c);
		report_tls(&c, n);
	}
	pthread_barrier_destroy(&barrier);
	tls_value = 42;
}

/* ---- pthread_join: each thread's value, by return and by pthread_exit ---- */

static void leave_with(int m)
{
	pthread_exit((void *)(intptr_t)(7 * m + 1));
}

static void *end_with_value(void *arg)
{
	int m = member(arg);

	if (!gate_pass())
		return NULL;
	/* so that the main thread waits in pthread_join: this exit's futex wake ends it */
	sleep_ms(20);
	if (m % 2)
		leave_with(m);
	return (void *)(intptr_t)(7 * m + 1);
}

static void t_join(int n)
{
	struct crew c;
	int wrong = 0;

	if (!crew_start(&c, "join", n, end_with_value))
		return;
	crew_join(&c);
	for (int i = 1; i < n; i++)
		wrong += c.results[i] != (void *)(intptr_t)(7 * i + 1);
	if (wrong)
		failed("join", "%d of %d threads returned another value", wrong, n - 1);
	else
		ok("join");
}

/* ---- gettid and getpid ---- */

static pid_t tids[MAX_THREADS], pids[MAX_THREADS];

static void *note_ids(void *arg)
{
	int m = member(arg);

	if (m && !gate_pass())
		return NULL;
	tids[m] = gettid();
	pids[m] = getpid();
	/* all alive at once: no tid can be reused */
	pthread_barrier_wait(&barrier);
	return NULL;
}

static void report_ids(int n)
{
	int same_pid = 1, distinct = 1, main_is_pid = tids[0] == getpid(), workers_are_not = 1;

	for (int i = 0; i < n; i++) {
		same_pid &= pids[i] == getpid();
		workers_are_not &= !i || (tids[i] != getpid() && tids[i] > 0);
		for (int j = 0; j < i; j++)
			distinct &= tids[i] != tids[j];
	}
	if (same_pid && distinct && main_is_pid && workers_are_not)
		ok("ids");
	else
		failed("ids", "getpid the same in all %d, tids distinct %d, main tid is the pid %d, others not %d",
		       same_pid, distinct, main_is_pid, workers_are_not);
}

static void t_ids(int n)
{
	struct crew c;

	pthread_barrier_init(&barrier, NULL, n);
	if (crew_start(&c, "ids", n, note_ids)) {
		note_ids(0);
		crew_join(&c);
		report_ids(n);
	}
	pthread_barrier_destroy(&barrier);
}

/* ---- sched_getaffinity in a thread: its creator's mask ---- */

static cpu_set_t masks[MAX_THREADS];
static int mask_results[MAX_THREADS];

static void *note_affinity(void *arg)
{
	int m = member(arg);

	if (m && !gate_pass())
		return NULL;
	CPU_ZERO(&masks[m]);
	mask_results[m] = sched_getaffinity(0, sizeof(masks[m]), &masks[m]) ? errno : 0;
	return NULL;
}

static void t_affinity(int n)
{
	int good = 1;
	struct crew c;

	if (!crew_start(&c, "affinity", n, note_affinity))
		return;
	note_affinity(0);
	crew_join(&c);
	for (int i = 0; i < n; i++)
		good &= !mask_results[i] && CPU_COUNT(&masks[i]) >= 1 && CPU_EQUAL(&masks[i], &masks[0]);
	expect("affinity", good, "a thread's mask is empty or not the one it was created with");
}

/* ---- signals: thread-directed and process-directed ---- */

static sem_t worker_ready, handler_ran, worker_released;
static volatile pid_t handled_by;
static pid_t worker_tid;
static int usr2_was_pending, usr2_code;

static void note_handler(int sig)
{
	(void)sig;
	handled_by = gettid();
	sem_post(&handler_ran);
}

static void *receive_signals(void *arg)
{
	sigset_t usr2, pending;
	siginfo_t info;

	if (!gate_pass())
		return NULL;
	(void)arg;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);
	worker_tid = gettid();
	sem_post(&worker_ready);
	if (sem_wait_patiently(&worker_released))
		return NULL;
	sigpending(&pending);
	usr2_was_pending = sigismember(&pending, SIGUSR2);
	/* the system call itself: glibc's sigtimedwait folds SI_TKILL into SI_USER */
	if (syscall(SYS_rt_sigtimedwait, &usr2, &info, &(struct timespec){ .tv_sec = 1 }, _NSIG / 8) == SIGUSR2)
		usr2_code = info.si_code;
	return NULL;
}

/* Sends sig to the process or (to) one thread; 1 if the handler ran, in the worker. */
static int handled_in_worker(const char *name, int sig, pthread_t *to)
{
	int err;

	handled_by = 0;
	err = to ? pthread_kill(*to, sig) : kill(getpid(), sig);
	if (err) {
		failed(name, "%s", strerror(to ? err : errno));
		return 0;
	}
	if (sem_wait_patiently(&handler_ran)) {
		failed(name, "the handler did not run");
		return 0;
	}
	if (handled_by != worker_tid) {
		failed(name, "the handler ran in %s", handled_by == gettid() ? "the main thread" : "another thread");
		return 0;
	}
	return 1;
}

/* With the worker started and blocking SIGUSR2. */
static void signal_the_worker(pthread_t worker)
{
	sigset_t usr1, pending;

	if (handled_in_worker("pthread_kill", SIGUSR1, &worker))
		ok("pthread_kill");

	/* process-directed: the only thread that does not block it takes it */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	if (handled_in_worker("kill to the thread not blocking it", SIGUSR1, NULL))
		ok("kill to the thread not blocking it");
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);

	/* thread-directed and blocked there: pending for that thread, not the process */
	pthread_kill(worker, SIGUSR2);
	sigpending(&pending);
	expect("pthread_kill blocked: not pending in main", !sigismember(&pending, SIGUSR2),
	       "SIGUSR2 for the other thread is pending in the main thread");
}

static void t_signals(void)
{
	struct sigaction sa = { .sa_handler = note_handler }, old;
	struct crew c;

	sem_init(&worker_ready, 0, 0);
	sem_init(&handler_ran, 0, 0);
	sem_init(&worker_released, 0, 0);
	sigaction(SIGUSR1, &sa, &old);
	usr2_was_pending = usr2_code = 0;
	if (crew_start(&c, "pthread_kill", 2, receive_signals)) {
		if (sem_wait_patiently(&worker_ready))
			failed("pthread_kill", "the thread did not start");
		else
			signal_the_worker(c.threads[1]);
		sem_post(&worker_released);
		crew_join(&c);
		if (usr2_was_pending && usr2_code == SI_TKILL)
			ok("pthread_kill blocked: pending in the thread");
		else
			failed("pthread_kill blocked: pending in the thread", "pending %d, si_code %d (SI_TKILL %d)",
			       usr2_was_pending, usr2_code, SI_TKILL);
	}
	sigaction(SIGUSR1, &old, NULL);
	sem_destroy(&worker_released);
	sem_destroy(&handler_ran);
	sem_destroy(&worker_ready);
}

/* ---- pthread_cancel of a thread waiting in pthread_cond_wait ---- */

static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static int cancel_waiting, cleanup_had_lock;

static void unlock_on_cancel(void *lock)
{
	/* pthread_cond_wait takes the mutex back before the cleanup runs */
	cleanup_had_lock = pthread_mutex_trylock(lock) == EBUSY;
	pthread_mutex_unlock(lock);
}

static void *wait_forever(void *arg)
{
	if (!gate_pass())
		return NULL;
	(void)arg;
	pthread_mutex_lock(&cancel_lock);
	cancel_waiting = 1;
	pthread_cleanup_push(unlock_on_cancel, &cancel_lock);
	for (;;)
		pthread_cond_wait(&never_signalled, &cancel_lock);
	pthread_cleanup_pop(1);
	return NULL;
}

static void t_cancel(void)
{
	int waiting, err, free_after;
	struct crew c;

	cancel_waiting = cleanup_had_lock = 0;
	if (!crew_start(&c, "cancel", 2, wait_forever))
		return;
	/* the waiter holds the mutex until pthread_cond_wait gives it up */
	do {
		pthread_mutex_lock(&cancel_lock);
		waiting = cancel_waiting;
		pthread_mutex_unlock(&cancel_lock);
		if (!waiting)
			sched_yield();
	} while (!waiting);
	err = pthread_cancel(c.threads[1]);
	crew_join(&c);
	free_after = pthread_mutex_trylock(&cancel_lock) == 0;
	if (free_after)
		pthread_mutex_unlock(&cancel_lock);
	if (!err && c.results[1] == PTHREAD_CANCELED && cleanup_had_lock && free_after)
		ok("cancel");
	else
		failed("cancel", "pthread_cancel %s, joined %s, cleanup had the mutex %d, mutex free after %d",
		       strerror(err), c.results[1] == PTHREAD_CANCELED ? "canceled" : "with a value",
		       cleanup_had_lock, free_after);
}

/* ---- timed futex waits: one times out, one is woken in time ---- */

#define TIMEOUT_MS	50
static pthread_mutex_t timed_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t timed_cond, woken_cond;
static int timed_results[2], woken_result = -1, wake_sent;
static int64_t timed_took_ns[2];

/* Waits TIMEOUT_MS on a condition variable nobody signals. */
static void *wait_out(void *arg)
{
	int m = member(arg);
	struct timespec deadline;
	int64_t start;

	if (m && !gate_pass())
		return NULL;
	pthread_mutex_lock(&timed_lock);
	start = monotonic_ns();
	deadline = monotonic_in(TIMEOUT_MS * 1000000LL);
	do
		timed_results[m] = pthread_cond_timedwait(&timed_cond, &timed_lock, &deadline);
	while (!timed_results[m]);	/* a spurious wake-up */
	timed_took_ns[m] = monotonic_ns() - start;
	pthread_mutex_unlock(&timed_lock);
	return NULL;
}

/* Waits up to PATIENCE_SECONDS for the main thread's signal. */
static void *wait_for_wake(void *arg)
{
	struct timespec deadline;

	if (!gate_pass())
		return NULL;
	(void)arg;
	pthread_mutex_lock(&timed_lock);
	deadline = monotonic_in(PATIENCE_SECONDS * 1000000000LL);
	woken_result = 0;
	while (!wake_sent && !woken_result)
		woken_result = pthread_cond_timedwait(&woken_cond, &timed_lock, &deadline);
	pthread_mutex_unlock(&timed_lock);
	return NULL;
}

static int timed_out_right(int m)
{
	int64_t ms = timed_took_ns[m] / 1000000;

	return timed_results[m] == ETIMEDOUT && ms >= TIMEOUT_MS && ms < PATIENCE_SECONDS * 1000;
}

static void t_timed(void)
{
	pthread_condattr_t attr;
	struct crew c;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&timed_cond, &attr);
	pthread_cond_init(&woken_cond, &attr);
	pthread_condattr_destroy(&attr);

	if (crew_start(&c, "timedwait", 2, wait_out)) {
		wait_out(0);
		crew_join(&c);
		expect("timedwait", timed_out_right(0) && timed_out_right(1),
		       "pthread_cond_timedwait did not end with ETIMEDOUT after its 50 ms");
	}
	wake_sent = 0;
	if (crew_start(&c, "timedwait woken", 2, wait_for_wake)) {
		sleep_ms(TIMEOUT_MS);
		pthread_mutex_lock(&timed_lock);
		wake_sent = 1;
		pthread_cond_signal(&woken_cond);
		pthread_mutex_unlock(&timed_lock);
		crew_join(&c);
		if (woken_result)
			failed("timedwait woken", "%s", strerror(woken_result));
		else
			ok("timedwait woken");
	}
	pthread_cond_destroy(&timed_cond);
	pthread_cond_destroy(&woken_cond);
}

/* ---- a detached thread says it is done through a semaphore ---- */

static sem_t detached_done;
static pid_t detached_tid;

static void *say_done(void *arg)
{
	(void)arg;
	detached_tid = gettid();
	sem_post(&detached_done);
	return NULL;
}

/*
 * Last of the cases: nothing tells when a detached thread is gone, so its
 * CPU may still be held for a moment after it posted.
 */
static void t_detached(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	sem_init(&detached_done, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, say_done, NULL);
	pthread_attr_destroy(&attr);
	if (err)
		failed("detached", "pthread_create: %s", strerror(err));
	else if (sem_wait_patiently(&detached_done))
		failed("detached", "the thread never posted");
	else
		expect("detached", detached_tid != gettid() && detached_tid > 0, "the thread has the main thread's tid");
}

/*
 * Memory one thread maps while another runs, far from all else (a 512 GiB slot
 * of the page-table root that nothing else uses), read and written by the
 * other, then unmapped.  With pti=on each LWK CPU runs user mode on a root of
 * its own, which must get the new slot.
 */
#define FAR_ADDRESS	((void *)0x080000000000ul)	/* 8 TiB */
static sem_t far_mapped, far_read;
static volatile uint64_t *far_word;
static uint64_t far_seen;

static void *read_far(void *unused)
{
	(void)unused;
	if (sem_wait_patiently(&far_mapped))
		return NULL;
	far_seen = *far_word;
	*far_word = far_seen + 1;
	sem_post(&far_read);
	return NULL;
}

static void t_far_mapping(void)
{
	pthread_t reader;
	void *p;
	int err;

	sem_init(&far_mapped, 0, 0);
	sem_init(&far_read, 0, 0);
	err = pthread_create(&reader, NULL, read_far, NULL);
	if (err) {
		failed("far-mapping", "pthread_create: %s", strerror(err));
		return;
	}
	sleep_ms(50);	/* the reader runs before the mapping exists */
	p = mmap(FAR_ADDRESS, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != FAR_ADDRESS) {
		failed("far-mapping", "mmap at %p: %s", FAR_ADDRESS, p == MAP_FAILED ? strerror(errno) : "another address");
		sem_post(&far_mapped);
		far_word = &far_seen;
		pthread_join(reader, NULL);
		return;
	}
	far_word = p;
	*far_word = 0x5eed;
	sem_post(&far_mapped);
	if (sem_wait_patiently(&far_read))
		failed("far-mapping", "the other thread never read the word");
	else if (far_seen != 0x5eed || *far_word != 0x5eee)
		failed("far-mapping", "the other thread read %#llx and left %#llx",
		       (unsigned long long)far_seen, (unsigned long long)*far_word);
	else
		ok("far-mapping");
	pthread_join(reader, NULL);
	munmap(p, 4096);
	sem_destroy(&far_mapped);
	sem_destroy(&far_read);
}

/* What synchronises threads and names them: no signals, cancellation or timeouts. */
static void run_basic(int n)
{
	t_mutex(n);
	t_condvar();
	t_barrier(n);
	t_rwlock(n);
	t_tls(n);
	t_join(n);
	t_ids(n);
	t_affinity(n);
	t_far_mapping();
}

static int run_all(int n)
{
	run_basic(n);
	t_signals();
	t_cancel();
	t_timed();
	t_detached();
	return failures ? 1 : 0;
}

/* ---- exit-group: exit(3) in one thread ends the threads that wait ---- */

static pthread_mutex_t exit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exit_never = PTHREAD_COND_INITIALIZER;
static int cond_waiter_in, reader_in, has_reader, has_cond_waiter;
static int pipe_fds[2];

static void __attribute__((noreturn)) wait_in_cond(void)
{
	pthread_mutex_lock(&exit_lock);
	cond_waiter_in = 1;
	for (;;)
		pthread_cond_wait(&exit_never, &exit_lock);
}

static void __attribute__((noreturn)) wait_in_read(void)
{
	char byte;
	ssize_t got;

	__atomic_store_n(&reader_in, 1, __ATOMIC_RELEASE);
	/* the write end stays open: nothing ends this read but the process's end */
	got = read(pipe_fds[0], &byte, 1);
	printf("exit-group: FAILED read returned %zd\n", got);
	exit(1);
}

static void *waiter(void *arg)
{
	if (member(arg) == 1)
		wait_in_cond();
	else
		wait_in_read();
}

static void *exiter(void *arg)
{
	int cond_waiting = 0;

	(void)arg;
	/* the cond waiter holds exit_lock until pthread_cond_wait gives it up */
	while (has_cond_waiter && !cond_waiting) {
		pthread_mutex_lock(&exit_lock);
		cond_waiting = cond_waiter_in;
		pthread_mutex_unlock(&exit_lock);
		if (!cond_waiting)
			sched_yield();
	}
	while (has_reader && !__atomic_load_n(&reader_in, __ATOMIC_ACQUIRE))
		sched_yield();
	sleep_ms(100);	/* into read(2); the status is the same if not yet */
	printf("exit-group: exit(3) while threads wait in %s%s%s\n", has_cond_waiter ? "pthread_cond_wait" : "",
	       has_cond_waiter && has_reader ? " and " : "", has_reader ? "read" : "");
	exit(3);
}

static int exit_group_mode(int n, const char *main_waits)
{
	int main_reads = !strcmp(main_waits, "read");
	pthread_t other, last;
	int err;

	if (pipe(pipe_fds)) {
		perror("pipe");
		return 1;
	}
	has_reader = main_reads || n >= 3;
	has_cond_waiter = !main_reads || n >= 3;
	if (n >= 3) {
		/* member 1 waits in pthread_cond_wait, member 2 in read */
		err = pthread_create(&other, NULL, waiter, (void *)(intptr_t)(main_reads ? 1 : 2));
		if (err) {
			printf("exit-group: FAILED pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	err = pthread_create(&last, NULL, exiter, NULL);
	if (err) {
		printf("exit-group: FAILED pthread_create: %s\n", strerror(err));
		return 1;
	}
	if (main_reads)
		wait_in_read();
	wait_in_cond();
}

/* ---- linux-kill: kill(1) of the process reaches the thread that waits in read ---- */

static int kill_pipe[2];
static sem_t reader_ready;
static volatile pid_t usr1_taker;
static volatile int usr1_code;
static pid_t reader_tid;
static ssize_t reader_got;
static int reader_errno;

static void note_usr1(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	usr1_taker = gettid();
	usr1_code = info->si_code;
}

static void *read_until_signalled(void *arg)
{
	sigset_t usr1;
	char byte;

	(void)arg;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	reader_tid = gettid();
	sem_post(&reader_ready);
	/* the write end stays open: only the signal ends this read */
	reader_got = read(kill_pipe[0], &byte, 1);
	reader_errno = errno;
	return NULL;
}

/* The reader's tid in 'path', for the test to aim tgkill at. */
static int tell_reader_tid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", reader_tid) < 0 || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

/*
 * Until thread tid sleeps in read(2), its /proc syscall line starting "0 ",
 * for at most 10 s: SIGUSR1 sent before it got there would find no read to
 * end.  On the LWK the tid is the proxy thread's, which performs the read.
 */
static void wait_until_in_read(pid_t tid)
{
	char path[64], line[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		int in_read = f && fgets(line, sizeof(line), f) && strncmp(line, "0 ", 2) == 0;

		if (f)
			fclose(f);
		if (in_read)
			return;
		sleep_ms(10);
	}
}

static int linux_kill_mode(const char *tid_file)
{
	struct sigaction sa = { .sa_sigaction = note_usr1, .sa_flags = SA_SIGINFO };	/* no SA_RESTART */
	sigset_t usr1;
	pthread_t reader;
	int err;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(tid_file ? SIG_UNBLOCK : SIG_BLOCK, &usr1, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(kill_pipe) || sem_init(&reader_ready, 0, 0)) {
		perror("linux-kill");
		return 1;
	}
	err = pthread_create(&reader, NULL, read_until_signalled, NULL);
	if (err) {
		printf("linux-kill: FAILED pthread_create: %s\n", strerror(err));
		return 1;
	}
	if (sem_wait_patiently(&reader_ready)) {
		printf("linux-kill: FAILED the reading thread did not start\n");
		return 1;
	}
	if (tid_file && tell_reader_tid(tid_file))
		return 1;
	wait_until_in_read(reader_tid);
	printf("linux-kill: ready\n");
	pthread_join(reader, NULL);
	expect("linux-kill: the reading thread took SIGUSR1", usr1_taker == reader_tid,
	       usr1_taker == gettid() ? "the main thread took it" : "no thread took it");
	if (tid_file)
		expect("linux-kill: with si_code SI_TKILL", usr1_code == SI_TKILL, "another si_code");
	else
		expect("linux-kill: with si_code SI_USER", usr1_code == SI_USER, "another si_code");
	expect("linux-kill: its read ended with EINTR", reader_got == -1 && reader_errno == EINTR,
	       "read did not end with EINTR");
	return failures ? 1 : 0;
}

/* ---- beyond: one thread more than the LWK has CPUs for ---- */

static sem_t holders_released;

static void *hold_cpu(void *arg)
{
	(void)arg;
	sem_wait_patiently(&holders_released);
	return NULL;
}

/* Threads 2 to n, each holding its CPU until released; returns how many threads live. */
static int start_holders(pthread_t *holders, int n)
{
	int alive;

	for (alive = 1; alive < n; alive++) {
		int err = pthread_create(&holders[alive], NULL, hold_cpu, NULL);

		if (err) {
			failed("create beyond CPUs", "thread %d of %d: %s", alive + 1, n, strerror(err));
			break;
		}
	}
	return alive;
}

static void release_holders(pthread_t *holders, int alive)
{
	for (int i = 1; i < alive; i++)
		sem_post(&holders_released);
	for (int i = 1; i < alive; i++)
		pthread_join(holders[i], NULL);
}

/* Thread n + 1 while n live: no CPU is left for it. */
static void create_one_more(int n)
{
	pthread_t extra;
	int err = pthread_create(&extra, NULL, hold_cpu, NULL);

	if (err == EAGAIN) {
		printf("create beyond CPUs: EAGAIN\n");
	} else if (err) {
		failed("create beyond CPUs", "thread %d: %s, expected EAGAIN", n + 1, strerror(err));
	} else {
		failed("create beyond CPUs", "thread %d was created", n + 1);
		sem_post(&holders_released);
		pthread_join(extra, NULL);
	}
}

/* The holders joined, their CPUs are free again: one of them serves a new thread. */
static void create_after_join(void)
{
	pthread_t again;
	int err;

	sem_post(&holders_released);
	err = pthread_create(&again, NULL, hold_cpu, NULL);
	if (err) {
		failed("create after the others ended", "%s", strerror(err));
		return;
	}
	pthread_join(again, NULL);
	ok("create after the others ended");
}

static int beyond_mode(int n)
{
	pthread_t holders[MAX_THREADS];
	int alive;

	sem_init(&holders_released, 0, 0);
	alive = start_holders(holders, n);
	if (alive == n)
		create_one_more(n);
	release_holders(holders, alive);
	/* with N = 1 no thread but the main one may ever run */
	if (n > 1)
		create_after_join();
	sem_destroy(&holders_released);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	const char *mode = argc > 2 ? argv[2] : "all";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (n >= 2 && n <= MAX_THREADS && !strcmp(mode, "all"))
		return run_all(n);
	if (n >= 2 && n <= MAX_THREADS && !strcmp(mode, "basic")) {
		run_basic(n);
		return failures ? 1 : 0;
	}
	if (n >= 2 && n <= MAX_THREADS && !strcmp(mode, "exit-group") &&
	    (argc < 4 || !strcmp(argv[3], "cond") || !strcmp(argv[3], "read")))
		return exit_group_mode(n, argc > 3 ? argv[3] : "cond");
	if (n >= 1 && n <= MAX_THREADS && !strcmp(mode, "beyond"))
		return beyond_mode(n);
	if (n == 2 && !strcmp(mode, "linux-kill") && argc <= 4)
		return linux_kill_mode(argc > 3 ? argv[3] : NULL);
	fprintf(stderr, "usage: threads N (2-%d) [basic | exit-group [cond|read]] | threads N (1-%d) beyond"
		" | threads 2 linux-kill [TID-FILE]\n", MAX_THREADS, MAX_THREADS);
	return 2;
}
