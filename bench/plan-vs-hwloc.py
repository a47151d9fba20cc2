#!/usr/bin/env python3
"""Benchmark: `mcprov plan` against `hwloc-info --input` on the same topology XML.

hwloc-info only loads the XML and prints a summary; mcprov also parses the profile,
resolves it and renders the plan. Both are timed as whole processes, interleaved so that
machine noise hits both alike, and reported as medians and their ratio (target: <= 1.5).
"""
import argparse
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mcprov", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--target", type=float, default=1.5)
    args = parser.parse_args()

    commands = {
        "hwloc-info --input": ["hwloc-info", "--input", args.topology],
        "mcprov plan": [args.mcprov, "plan", args.profile, "--topology", args.topology],
    }
    for command in commands.values():  # warm the page cache, fail early
        run_once(command)
    samples = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(run_once(command))

    base = statistics.median(samples["hwloc-info --input"])
    ours = statistics.median(samples["mcprov plan"])
    print(f"topology: {args.topology}")
    print(f"runs: {args.runs} each, interleaved; medians:")
    for name, values in samples.items():
        print(f"  {name:20s} {statistics.median(values) * 1000:8.2f} ms  (min {min(values) * 1000:.2f}, max {max(values) * 1000:.2f})")
    ratio = ours / base
    verdict = "meets" if ratio <= args.target else "MISSES"
    print(f"ratio mcprov plan / hwloc-info: {ratio:.2f}x ({verdict} the {args.target}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
