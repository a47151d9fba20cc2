"""Reading what one guest boot of `make bench` wrote (Tests/vm/bench/guest/).

Each part's files land in .vm/bench/PART/: values.txt ("key value" lines),
the probes' output, and snapshots of /proc/interrupts and /proc/stat taken
before and after each probe run (NAME.before.interrupts, NAME.after.stat ...).
"""
import os
import statistics


def parse_values(text):
    """'key value...' lines; a later key wins."""
    values = {}
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if key:
            values[key] = value.strip()
    return values


def lwk_entries(kmsg, pid):
    """What entered the LWK CPU's kernel while process `pid` ran, from its end line in
    the LWK's log ("process PID exited ...; while it ran: 0 timer, 3 IKC, 0 other
    interrupts, ..."), as {"timer": 0, "IKC": 3, "other interrupts": 0, ...}; None if
    the log has no such line (it wrapped, or the LWK counts nothing)."""
    marker = f"process {pid} exited "
    for line in reversed(kmsg.splitlines()):
        if marker not in line or "; while it ran: " not in line:
            continue
        counts = {}
        for part in line.split("; while it ran: ", 1)[1].replace(" and ", ", ").split(", "):
            number, _, what = part.strip().partition(" ")
            if number.isdigit():
                counts[what] = int(number)
        return counts
    return None


def parse_interrupts(text):
    """/proc/interrupts as {label: {"CPU3": count, ...}}."""
    lines = text.splitlines()
    cpus = lines[0].split()
    table = {}
    for line in lines[1:]:
        label, _, rest = line.partition(":")
        counts = {}
        for cpu, word in zip(cpus, rest.split()):
            if not word.isdigit():
                break
            counts[cpu] = int(word)
        table[label.strip()] = counts
    return table


def interrupts_between(before, after, cpu):
    """What interrupted `cpu` (e.g. "CPU3") between two snapshots: {label: n}."""
    delta = {}
    for label, counts in after.items():
        if cpu in counts:
            n = counts[cpu] - before.get(label, {}).get(cpu, 0)
            if n:
                delta[label] = n
    return delta


def parse_stat(text):
    """The per-CPU lines of /proc/stat as {"cpu3": (busy ticks, all ticks)}."""
    cpus = {}
    for line in text.splitlines():
        words = line.split()
        if words and words[0].startswith("cpu") and words[0] != "cpu":
            ticks = [int(w) for w in words[1:]]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
            cpus[words[0]] = (sum(ticks) - idle, sum(ticks))
    return cpus


def busy_between(before, after):
    """Each CPU's busy share (0..1) between two /proc/stat snapshots."""
    shares = {}
    for cpu, (busy, total) in after.items():
        if cpu in before and total > before[cpu][1]:
            shares[cpu] = (busy - before[cpu][0]) / (total - before[cpu][1])
    return shares


def parse_proxy_samples(text):
    """mcexec's samples, 'cpu_ns voluntary involuntary [when_ns]' per line."""
    return [tuple(int(w) for w in line.split()) for line in text.splitlines() if line.strip()]


def proxy_rates(samples, seconds):
    """mcexec's CPU share (percent of one CPU) and wake-ups per second
    between its first and last sample: as far apart as their timestamps say,
    or `seconds` for samples without one."""
    if len(samples) < 2:
        return None
    (ns0, vol0, invol0, *when0), (ns1, vol1, invol1, *when1) = samples[0], samples[-1]
    if when0 and when1:
        seconds = (when1[0] - when0[0]) / 1e9
    if seconds <= 0:
        return None
    return {
        "cpu_percent": 100.0 * (ns1 - ns0) / (seconds * 1e9),
        "wakeups_per_second": (vol1 - vol0) / seconds,
        "preemptions_per_second": (invol1 - invol0) / seconds,
    }


def numbers_by_key(text):
    """'key number ...' lines, several per key: every number per key."""
    seen = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2:
            seen.setdefault(words[0], []).append(float(words[1]))
    return seen


def medians_by_key(text):
    return {key: statistics.median(numbers) for key, numbers in numbers_by_key(text).items()}


def highest_by_key(text):
    return {key: max(numbers) for key, numbers in numbers_by_key(text).items()}


class PartResults:
    """The files of one part, read on demand; missing files read as None."""

    def __init__(self, directory):
        self.directory = directory

    def exists(self):
        return os.path.isdir(self.directory)

    def text(self, name):
        path = os.path.join(self.directory, name)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def values(self):
        return parse_values(self.text("values.txt") or "")

    def interrupts(self, run, cpu):
        before, after = self.text(f"{run}.before.interrupts"), self.text(f"{run}.after.interrupts")
        if before is None or after is None:
            return None
        return interrupts_between(parse_interrupts(before), parse_interrupts(after), cpu)

    def busy(self, run):
        before, after = self.text(f"{run}.before.stat"), self.text(f"{run}.after.stat")
        if before is None or after is None:
            return None
        return busy_between(parse_stat(before), parse_stat(after))

    def proxy(self, run, seconds):
        text = self.text(f"{run}.proxy")
        return proxy_rates(parse_proxy_samples(text), seconds) if text else None

    def medians(self, name):
        text = self.text(name)
        return medians_by_key(text) if text else {}

    def highest(self, name):
        text = self.text(name)
        return highest_by_key(text) if text else {}
