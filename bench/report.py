#!/usr/bin/env python3
"""make bench, the report: one table of every measurement against the goal a
site would set for an LWK, the same as JSON, and the noise plot.

Reads what Tests/vm/bench/run.sh unpacked (DIR/noise, DIR/isolated,
DIR/main) and what bench/cli_speed.py wrote (DIR/cli.json). A part that did
not run leaves its rows empty ("no data").
"""
import argparse
import json
import os
import subprocess
import sys

from guest_results import PartResults, lwk_entries, numbers_by_key
from noise_stats import FWQ, Detour
from table import Goal, Table, render

PROBE_CPU = "CPU3"  # the vCPU every probe runs on (Tests/vm/bench/guest/lib.sh)
NOISE_KINDS = {  # run suffix -> where its figures go
    "linux": "linux", "isolated": "isolated", "lwk": "lwk", "lwk-proxy-stopped": "lwk",
}


def noise_runs(noise, isolated):
    """FWQ and detour statistics of every run that exists, by run name."""
    runs = {}
    for part in (noise, isolated):
        for name in ("linux", "linux-neighbour-busy", "isolated", "lwk", "lwk-proxy-stopped"):
            fwq, detour = part.text(f"fwq-{name}.txt"), part.text(f"detour-{name}.txt")
            if fwq is not None:
                runs.setdefault(name, {})["fwq"] = FWQ.parse(fwq)
                runs[name]["fwq_part"] = part
            if detour is not None:
                runs.setdefault(name, {})["detour"] = Detour.parse(detour)
                runs[name]["detour_part"] = part
    return runs


def stat(runs, name, probe, key):
    run = runs.get(name, {})
    return run[probe].stats()[key] if probe in run else None


def interrupts_per_second(runs, name):
    """Everything /proc/interrupts counted on the probe CPU during the FWQ run."""
    run = runs.get(name, {})
    if "fwq" not in run:
        return None
    counts = run["fwq_part"].interrupts(f"fwq-{name}", PROBE_CPU)
    if counts is None:
        return None
    return sum(counts.values()) / run["fwq"].stats()["seconds"]


def lwk_entries_during(runs, name):
    """The LWK's own count of what entered its CPU's kernel while the FWQ program `name`
    ran (its whole run: start, warm-up, measurement, output), or None."""
    part = runs.get(name, {}).get("fwq_part")
    if part is None:
        return None
    pid = part.values().get(f"lwk_pid_fwq-{name}")
    kmsg = part.text("lwk-kmsg.txt")
    if pid is None or kmsg is None:
        return None
    return lwk_entries(kmsg, pid)


def lwk_count(runs, name, *kinds):
    counts = lwk_entries_during(runs, name)
    return None if counts is None else sum(counts.get(kind, 0) for kind in kinds)


def noise_rows(table, runs, noise):
    section = "OS noise (QEMU -icount: guest time counts instructions; probes on vCPU 3)"
    quiet = Goal("quieter", 0.1)

    def row(metric, probe, key, goal=None, note=""):
        table.add(section, metric, stat(runs, "lwk", probe, key), stat(runs, "linux", probe, key),
                  stat(runs, "isolated", probe, key), goal, note)

    row("FWQ: time lost (%)", "fwq", "lost_percent", quiet)
    row("FWQ: median quantum (us)", "fwq", "median_us")
    row("FWQ: p99 quantum (us)", "fwq", "p99_us")
    row("FWQ: p99.9 quantum (us)", "fwq", "p999_us")
    row("FWQ: max quantum (us)", "fwq", "max_us")
    row("detour: max detour (us)", "detour", "max_us", quiet)
    row("detour: detours per second", "detour", "per_second")
    row("detour: time lost (%)", "detour", "lost_percent")
    table.add(section, "interrupts per second on the CPU", None, interrupts_per_second(runs, "linux"),
              interrupts_per_second(runs, "isolated"), note="Linux: /proc/interrupts")
    table.add(section, "LWK: timer and other interrupts during the FWQ program", lwk_count(runs, "lwk", "timer", "other interrupts"),
              note="the LWK's own count (its log's end line), the program's whole run")
    table.add(section, "LWK: IKC interrupts during the FWQ program", lwk_count(runs, "lwk", "IKC"),
              note="answers to the program's own offloaded calls (start, output)")
    table.add(section, "FWQ: time lost (%), LWK with mcexec stopped", stat(runs, "lwk-proxy-stopped", "fwq", "lost_percent"),
              note="diagnostic: nothing of the proxy runs")
    table.add(section, "FWQ: median quantum (us), LWK with mcexec stopped",
              stat(runs, "lwk-proxy-stopped", "fwq", "median_us"), note="diagnostic")
    table.add(section, "detour: max detour (us), LWK with mcexec stopped",
              stat(runs, "lwk-proxy-stopped", "detour", "max_us"), note="diagnostic")
    table.add(section, "detour: time lost (%), LWK with mcexec stopped",
              stat(runs, "lwk-proxy-stopped", "detour", "lost_percent"), note="diagnostic")
    seconds = float(noise.values().get("proxy_seconds_fwq-lwk", 0) or 0)
    waiting = noise.proxy("fwq-lwk", seconds)
    table.add(section, "mcexec CPU during the LWK FWQ run (% of a CPU)", waiting and waiting["cpu_percent"],
              note="diagnostic: Linux CPU 1, guest time")
    table.add(section, "FWQ: time lost (%), Linux CPU 3 while vCPU 1 spins", None,
              stat(runs, "linux-neighbour-busy", "fwq", "lost_percent"),
              note="diagnostic: one instruction clock for all vCPUs")


def offload_rows(table, main):
    section = "Offload path (plain TCG; median of each call timed with the TSC)"
    calls = main.medians("calls.txt")
    for name, metric, goal in (("umask", "umask, offloaded (ns)", Goal("ratio_at_most", 3)),
                               ("pread_4k", "pread 4 KiB from page cache, offloaded (ns)", Goal("ratio_at_most", 3)),
                               ("getpid", "getpid, LWK-local (ns)", Goal("ratio_at_most", 0.5)),
                               ("clock_gettime", "clock_gettime, LWK-local (ns)", Goal("ratio_at_most", 0.5))):
        table.add(section, metric, calls.get(f"lwk_{name}"), calls.get(f"native_{name}"), goal=goal,
                  note="Linux column: the same call native")
    for name, metric in (("umask", "umask, offloaded, proxy polling (ns)"),
                         ("pread_4k", "pread 4 KiB, offloaded, proxy polling (ns)")):
        table.add(section, metric, calls.get(f"lwkpoll_{name}"), calls.get(f"native_{name}"),
                  note="A/B: mcos.ikc_poll=1, no interrupt")
    for name, metric in (("umask", "umask, offloaded, pti=on (ns)"), ("pread_4k", "pread 4 KiB, offloaded, pti=on (ns)"),
                         ("getpid", "getpid, LWK-local, pti=on (ns)"),
                         ("clock_gettime", "clock_gettime, LWK-local, pti=on (ns)")):
        table.add(section, metric, calls.get(f"lwk_pti_{name}"), calls.get(f"lwk_{name}"),
                  note="Linux column: the LWK with pti=off; ratio: the cost of isolation")
    seconds = float(main.values().get("idle_sampled_seconds", 0) or 0)
    idle = main.proxy("idle", seconds)
    table.add(section, "mcexec CPU while its program computes (% of a CPU)", idle and idle["cpu_percent"],
              goal=Goal("at_most", 1.0))
    table.add(section, "mcexec wake-ups per second meanwhile", idle and idle["wakeups_per_second"])
    polling = main.proxy("idle_poll", seconds)
    table.add(section, "the same, proxy polling (% of a CPU)", polling and polling["cpu_percent"],
              note="A/B: mcos.ikc_poll=1, no interrupt")
    table.add(section, "the same, proxy polling (wake-ups per second)", polling and polling["wakeups_per_second"],
              note="A/B: mcos.ikc_poll=1")


def kernel_rows(table, main):
    thp = main.values().get("thp", "?")
    section = f"Compute and memory kernels (single-threaded, plain TCG, best run; Linux THP: {thp})"
    rates = main.highest("kernels.txt")  # Linux ran before and after the LWK
    for name, metric in (("triad", "STREAM triad (MB/s)"), ("gups", "GUPS, 64 MiB table (MUP/s)"),
                         ("dgemm", "DGEMM 256, OpenBLAS (MFLOP/s)"), ("stencil", "3-D 7-point stencil 96^3 (MLUP/s)")):
        table.add(section, metric, rates.get(f"lwk_{name}"), rates.get(f"linux_{name}"), goal=Goal("ratio_at_least", 1.0))
    for name, metric in (("triad", "STREAM triad, Linux beside a spinning vCPU (MB/s)"),
                         ("gups", "GUPS, Linux beside a spinning vCPU (MUP/s)")):
        table.add(section, metric, None, rates.get(f"busy_{name}"), note="diagnostic: host contention alone")


def thread_rows(table, main):
    section = "Threads (plain TCG; 2 threads, medians, best run)"
    # Tests/vm/progs/threadbench.c, twice on each side: each side's lowest median
    figures = {key: min(numbers) for key, numbers in numbers_by_key(main.text("threads.txt") or "").items()}

    def team(prefix):
        size = figures.get(f"{prefix}_omp_threads")
        return "?" if size is None else f"{size:g}"

    teams = f"teams of {team('lwk')} (LWK) and {team('native')} (Linux) threads"
    for name, metric, per_unit, note in (
            ("futex_wake", "futex wake latency (ns)", 1, "a thread asleep in FUTEX_WAIT woken from the other CPU"),
            ("create_join", "thread create+join (us)", 1e3, "pthread_create of a thread that returns at once, and its join"),
            ("omp_barrier", "OpenMP barrier overhead (ns)", 1, f"EPCC-style, less the delay loop alone; {teams}"),
            ("omp_reduction", "OpenMP reduction overhead (ns)", 1, f"a parallel region with a reduction, the same way; {teams}")):
        lwk, linux = figures.get(f"lwk_{name}"), figures.get(f"native_{name}")
        table.add(section, metric, None if lwk is None else lwk / per_unit, None if linux is None else linux / per_unit,
                  goal=Goal("ratio_at_most", 1.0), note=note)


def process_rows(table, main):
    section = "Processes (plain TCG; medians)"
    # Tests/vm/progs/procbench.c; on the LWK each fork's child is a process on the other
    # LWK CPU with a copy of mcexec as its proxy, natively a process on the same CPU
    figures = main.medians("processes.txt")
    for name, metric, note in (
            ("fork_exit_wait", "fork+exit+wait (us)", "a child that _exits at once; the LWK copies its memory at fork"),
            ("exec_static", "exec of a static program, to main (us)", "ten execs in a row, per exec"),
            ("exec_dynamic", "exec of a dynamic program, to main (us)", "the same, through ld.so and glibc's start-up")):
        lwk, linux = figures.get(f"lwk_{name}"), figures.get(f"native_{name}")
        table.add(section, metric, None if lwk is None else lwk / 1e3, None if linux is None else linux / 1e3,
                  goal=Goal("ratio_at_most", 2.0), note=note)


def mpi_rows(table, mpi):
    section = "Between two MPI ranks (MPICH over UCX, plain TCG; medians of 15 batches)"
    # Tests/vm/progs/mpitest.c pingpong: natively each rank bound to one of Linux CPUs 2-3,
    # on the LWK `mpiexec -n 2 mcexec -n 2` on the same two vCPUs
    figures = mpi.medians("mpi.txt")
    table.add(section, "ping-pong latency, 8 B, half a round trip (us)",
              None if figures.get("lwk_latency_8b_ns") is None else figures["lwk_latency_8b_ns"] / 1e3,
              None if figures.get("native_latency_8b_ns") is None else figures["native_latency_8b_ns"] / 1e3,
              goal=Goal("ratio_at_most", 1.2))
    table.add(section, "ping-pong bandwidth, 4 MiB (MB/s)", figures.get("lwk_bandwidth_4mib_mbps"),
              figures.get("native_bandwidth_4mib_mbps"), goal=Goal("ratio_at_least", 1.0),
              note="the LWK's cross-memory copy")
    table.add(section, "ping-pong bandwidth, 4 MiB, UCX_TLS=^cma (MB/s)", figures.get("lwk_nocma_bandwidth_4mib_mbps"),
              figures.get("native_bandwidth_4mib_mbps"), note="LWK: through shared memory; Linux: as above")
    # Tests/vm/progs/procbench.c cma: the copy UCX's cma transport makes, without MPI
    for size, bytes in (("8b", 8), ("4m", 4 << 20)):
        lwk, native = figures.get(f"lwk_cma_read_{size}"), figures.get(f"native_cma_read_{size}")
        table.add(section, f"process_vm_readv of {'8 B' if bytes == 8 else '4 MiB'} from a child (us)",
                  None if lwk is None else lwk / 1e3, None if native is None else native / 1e3,
                  goal=Goal("ratio_at_most", 1.0) if bytes > 8 else None)


def startup_rows(table, main):
    section = "Start-up (plain TCG)"
    startup, values = main.medians("startup.txt"), main.values()

    def ms(ns):
        return None if ns is None else float(ns) / 1e6

    table.add(section, "fork to main of a static program (ms)", ms(startup.get("lwk_startup_ns")),
              ms(startup.get("native_startup_ns")), note="LWK: through mcexec; Linux: exec")
    table.add(section, "fork to main of a dynamic program (ms)", ms(startup.get("lwk_dynamic_startup_ns")),
              ms(startup.get("native_dynamic_startup_ns")), note="LWK: through mcexec, which loads ld.so; Linux: exec")
    table.add(section, "mcexec --help alone, from a shell (ms)", ms(startup.get("mcexec_help_ns")),
              note="mcexec's own start-up, part of the figure above")
    table.add(section, "mcprov apply -> running (ms)", ms(values.get("apply_to_running_ns")))
    table.add(section, "mcprov teardown -> all back (ms)", ms(values.get("teardown_to_all_back_ns")))


def cli_rows(table, cli):
    section = "CLI (release, static Swift runtime; interleaved pairs; LWK column: mcprov, Linux column: hwloc-info)"
    for key, metric, goal in (("plan", "plan SNC-4 profile, 64-core SNC-4 XML (ms)", Goal("ratio_at_most", 1.5)),
                              ("topology_json", "topology --json, 384-PU XML (ms)", Goal("ratio_at_most", 1.5)),
                              ("version", "--version (ms)", None)):
        r = cli.get(key)
        table.add(section, metric, r and r["ours"]["median_ms"], r and r["baseline"]["median_ms"], goal=goal)


def evidence(runs, noise, main):
    """What the table's figures rest on, for the reader and the README."""
    found = {}
    for name, run in runs.items():
        if "fwq" in run:
            found[f"busy_share_of_each_linux_cpu_during_fwq_{name}"] = run["fwq_part"].busy(f"fwq-{name}")
            found[f"interrupts_on_{PROBE_CPU}_during_fwq_{name}"] = run["fwq_part"].interrupts(f"fwq-{name}", PROBE_CPU)
            found[f"fwq_{name}"] = run["fwq"].stats()
        if "detour" in run:
            found[f"detour_{name}"] = run["detour"].stats()
    values = noise.values()
    for name in ("fwq-lwk", "fwq-lwk-proxy-stopped", "detour-lwk", "detour-lwk-proxy-stopped"):
        seconds = float(values.get(f"proxy_seconds_{name}", 0) or 0)
        found[f"mcexec_during_{name}"] = noise.proxy(name, seconds)
    kmsg = (noise.text("lwk-kmsg.txt") or "") + (main.text("lwk-kmsg.txt") or "")
    found["lwk_log_unexpected_interrupt_lines"] = [l for l in kmsg.splitlines() if "did not ask for" in l]
    return found


def qemu_version():
    try:
        return subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir", help="the bench's results directory (.vm/bench)")
    parser.add_argument("--json", required=True)
    parser.add_argument("--plot", required=True)
    args = parser.parse_args()

    noise, isolated, main_part, mpi_part = (PartResults(os.path.join(args.dir, p)) for p in ("noise", "isolated", "main", "mpi"))
    cli_path = os.path.join(args.dir, "cli.json")
    cli = {}
    if os.path.exists(cli_path):
        with open(cli_path) as f:
            cli = json.load(f)
    runs = noise_runs(noise, isolated)

    table = Table()
    noise_rows(table, runs, noise)
    offload_rows(table, main_part)
    kernel_rows(table, main_part)
    thread_rows(table, main_part)
    process_rows(table, main_part)
    startup_rows(table, main_part)
    mpi_rows(table, mpi_part)
    cli_rows(table, cli)

    setup = {
        "host": cli.get("machine"),
        "qemu": qemu_version(),
        "guest_kernel": noise.values().get("kernel") or main_part.values().get("kernel"),
        "noise_mode": "-icount " + os.environ.get("BENCH_ICOUNT", "shift=3,sleep=off"),
        "fwq_units": noise.values().get("fwq_units"),
    }
    host = setup["host"] or {}
    print(f"\nmake bench on {host.get('cpu', '?')} ({host.get('cpus', '?')} CPUs, load average "
          f"{', '.join(f'{x:.2f}' for x in host.get('load_average', [])) or '?'} at the start); "
          f"{setup['qemu']}; guest {setup['guest_kernel']}\n")
    print(render(table.rows))

    plot_note = ""
    try:
        from noise_plot import draw
        panels = [(label, runs[name]["fwq"].timeline()) for name, label in
                  (("linux", "Linux CPU"), ("isolated", "isolated Linux CPU (nohz_full)"), ("lwk", "LWK CPU"),
                   ("lwk-proxy-stopped", "LWK CPU, mcexec stopped")) if name in runs and "fwq" in runs[name]]
        if panels:
            draw(panels, args.plot, f"FWQ quanta over time, {setup['noise_mode']}, guest {setup['guest_kernel']}")
            plot_note = f"noise plot: {args.plot}"
    except ImportError:
        plot_note = "noise plot skipped: python3-matplotlib is missing (scripts/install-deps.sh bench)"

    document = {"format_version": 1, "setup": setup, "rows": [r.as_json() for r in table.rows],
                "cli": cli, "evidence": evidence(runs, noise, main_part)}
    with open(args.json, "w") as f:
        json.dump(document, f, indent=2)
    print(f"\ntable as JSON: {args.json}")
    if plot_note:
        print(plot_note)
    unmet = table.unmet()
    if unmet:
        print(f"{len(unmet)} goal(s) not met or without data: " + "; ".join(r.metric for r in unmet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
