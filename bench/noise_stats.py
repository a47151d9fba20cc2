"""OS noise statistics from the probes' output (Tests/vm/progs/noise.c).

An FWQ run is a list of quantum durations in ns, each the same fixed work:
the shortest one is the work alone, and whatever any other quantum has on
top of it is noise. A detour run is a list of (start, length) gaps in a
tight clock-reading loop, with a header saying how long the loop ran.
"""
from dataclasses import dataclass


def _header(lines, kind):
    """The '# <kind> key value ...' line as a dict of floats."""
    for line in lines:
        words = line.split()
        if len(words) > 2 and words[0] == "#" and words[1] == kind:
            return {k: float(v) for k, v in zip(words[2::2], words[3::2])}
    raise ValueError(f"no '# {kind}' header")


def _data(lines):
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def percentile(sorted_values, fraction):
    """The value below which `fraction` of the samples lie (nearest rank)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values))) - 1))
    return sorted_values[rank]


@dataclass
class FWQ:
    quanta_ns: list

    @classmethod
    def parse(cls, text):
        lines = text.splitlines()
        header = _header(lines, "fwq")
        quanta = [float(row[0]) for row in _data(lines)]
        if len(quanta) != int(header["quanta"]):
            raise ValueError(f"fwq: {len(quanta)} samples, header says {int(header['quanta'])}")
        return cls(quanta)

    def stats(self):
        ordered = sorted(self.quanta_ns)
        shortest, total = ordered[0], sum(ordered)
        return {
            "quanta": len(ordered),
            "min_us": shortest / 1e3,
            "median_us": percentile(ordered, 0.5) / 1e3,
            "p99_us": percentile(ordered, 0.99) / 1e3,
            "p999_us": percentile(ordered, 0.999) / 1e3,
            "max_us": ordered[-1] / 1e3,
            "lost_percent": 100.0 * (total - shortest * len(ordered)) / total,
            "seconds": total / 1e9,
        }

    def timeline(self):
        """(start in s, duration in µs) of each quantum, for the noise plot."""
        points, start = [], 0.0
        for quantum in self.quanta_ns:
            points.append((start / 1e9, quantum / 1e3))
            start += quantum
        return points


@dataclass
class Detour:
    seconds: float
    threshold_ns: float
    detours: list  # (start ns, length ns)
    counted: int  # more than the probe kept, if it had to drop some

    @classmethod
    def parse(cls, text):
        lines = text.splitlines()
        header = _header(lines, "detour")
        detours = [(float(start), float(length)) for start, length in _data(lines)]
        return cls(header["seconds"], header["threshold_ns"], detours, int(header["detours"]))

    def stats(self):
        lengths = sorted(length for _, length in self.detours)
        return {
            "seconds": self.seconds,
            "threshold_ns": self.threshold_ns,
            "detours": self.counted,
            "per_second": self.counted / self.seconds if self.seconds else 0.0,
            "max_us": lengths[-1] / 1e3 if lengths else 0.0,
            "median_us": percentile(lengths, 0.5) / 1e3 if lengths else 0.0,
            "lost_percent": 100.0 * sum(lengths) / (self.seconds * 1e9) if self.seconds else 0.0,
        }
