#!/usr/bin/env python3
"""The CLI's speed: mcprov against hwloc's own tool on the same input.

Each pair is timed as whole processes (fork to exit, output discarded),
interleaved so that machine noise hits both alike; the medians and their
ratio are what counts. Run with a release, static-stdlib build of mcprov.
Writes a JSON document for bench/report.py.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# A 384-PU node: two sockets of 96 cores (4 NUMA nodes each, 3 L3 domains
# of 8 cores per node) with 2 threads per core, the shape of a dual EPYC
# 9654 in NPS4 mode. hwloc writes it as XML, as lstopo would on such a node.
SYNTHETIC_384 = "pack:2 numa:4 l3:3 core:8 pu:2"


def run_once(command):
    """Wall seconds and CPU seconds (user + system) of one run."""
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} exited {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime


def compare(ours, baseline, pairs):
    """Interleaved runs of two commands; medians in ms and their ratio."""
    for command in (ours, baseline):  # warm the page cache, fail early
        run_once(command)
    samples = {"ours": [], "baseline": []}
    for _ in range(pairs):
        samples["ours"].append(run_once(ours))
        samples["baseline"].append(run_once(baseline))

    def summary(runs):
        walls = [wall for wall, _ in runs]
        return {
            "median_ms": statistics.median(walls) * 1e3,
            "min_ms": min(walls) * 1e3,
            "max_ms": max(walls) * 1e3,
            "cpu_median_ms": statistics.median(cpu for _, cpu in runs) * 1e3,
        }

    result = {"ours": summary(samples["ours"]), "baseline": summary(samples["baseline"]), "pairs": pairs,
              "ours_command": " ".join(ours), "baseline_command": " ".join(baseline)}
    result["ratio"] = result["ours"]["median_ms"] / result["baseline"]["median_ms"]
    return result


def write_synthetic_xml(path):
    subprocess.run(["lstopo-no-graphics", "--input", SYNTHETIC_384, "--of", "xml", "-f", path],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "kernel": platform.release(),
            "load_average": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mcprov", required=True)
    parser.add_argument("--profile", required=True, help="the SNC-4 profile")
    parser.add_argument("--topology", required=True, help="the 64-core SNC-4 fixture (hwloc XML)")
    parser.add_argument("--workdir", required=True, help="where the 384-PU XML is written")
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    big = write_synthetic_xml(os.path.join(args.workdir, "synthetic-384pu.xml"))
    results = {
        "machine": machine(),
        "plan": compare([args.mcprov, "plan", args.profile, "--topology", args.topology],
                        ["hwloc-info", "--input", args.topology], args.pairs),
        "topology_json": compare([args.mcprov, "topology", "--topology", big, "--json"],
                                 ["hwloc-info", "--input", big], args.pairs),
        "version": compare([args.mcprov, "--version"], ["hwloc-info", "--version"], args.pairs),
    }
    results["topology_json"]["input"] = f"{SYNTHETIC_384} (384 PUs)"
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    for name, r in results.items():
        if name != "machine":
            print(f"  {name:14s} mcprov {r['ours']['median_ms']:7.2f} ms  hwloc {r['baseline']['median_ms']:7.2f} ms"
                  f"  ratio {r['ratio']:.2f}x  ({r['pairs']} interleaved pairs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
