"""The bench's one table: rows of metric, LWK, Linux, isolated Linux, ratio,
goal and verdict, and its text rendering. Pure values; report.py fills it."""
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Goal:
    """What a row must show. kind: 'ratio_at_most' / 'ratio_at_least' (LWK over
    Linux), 'at_most' (the LWK value itself), 'quieter' (LWK at most `limit`
    times Linux and below isolated Linux)."""
    kind: str
    limit: float

    def describe(self):
        return {
            "ratio_at_most": f"<= {self.limit:g}x",
            "ratio_at_least": f">= {self.limit:g}x",
            "at_most": f"< {self.limit:g}",
            "quieter": f"<= {self.limit:g}x, < isolated",
        }[self.kind]

    def met(self, lwk, linux, isolated):
        """True or False, or None when the row lacks what the goal needs."""
        if lwk is None:
            return None
        if self.kind == "at_most":
            return lwk < self.limit
        if linux is None or linux == 0:
            return None
        ratio = lwk / linux
        if self.kind == "ratio_at_most":
            return ratio <= self.limit
        if self.kind == "ratio_at_least":
            return ratio >= self.limit
        if self.kind == "quieter":
            if isolated is None:
                return None
            return ratio <= self.limit and lwk < isolated
        raise ValueError(self.kind)


@dataclass
class Row:
    section: str
    metric: str
    lwk: Optional[float] = None
    linux: Optional[float] = None
    isolated: Optional[float] = None
    goal: Optional[Goal] = None
    note: str = ""

    @property
    def ratio(self):
        if self.lwk is None or not self.linux:
            return None
        return self.lwk / self.linux

    @property
    def verdict(self):
        if self.goal is None:
            return ""
        met = self.goal.met(self.lwk, self.linux, self.isolated)
        return {True: "met", False: "NOT met", None: "no data"}[met]

    def as_json(self):
        return {
            "section": self.section, "metric": self.metric, "lwk": self.lwk, "linux": self.linux,
            "isolated_linux": self.isolated, "ratio": self.ratio,
            "goal": self.goal.describe() if self.goal else None,
            "met": None if self.goal is None else self.goal.met(self.lwk, self.linux, self.isolated),
            "note": self.note,
        }


def number(value):
    """A figure with the digits that mean something at its size."""
    if value is None:
        return "-"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


HEADER = ("metric", "LWK", "Linux", "isolated", "ratio", "goal", "")


def render(rows):
    """The table as text: a heading line per section, aligned columns."""
    cells = [[r.metric, number(r.lwk), number(r.linux), number(r.isolated),
              "-" if r.ratio is None else f"{r.ratio:.2f}x",
              r.goal.describe() if r.goal else "", r.verdict] for r in rows]
    widths = [max(len(str(c[i])) for c in cells + [list(HEADER)]) for i in range(len(HEADER))]

    def line(values):
        first = str(values[0]).ljust(widths[0])
        rest = [str(v).rjust(w) if i < 4 else str(v).ljust(w) for i, (v, w) in enumerate(zip(values[1:], widths[1:]))]
        return ("  " + first + "  " + "  ".join(rest)).rstrip()

    out, section = [line(HEADER)], None
    for row, values in zip(rows, cells):
        if row.section != section:
            section = row.section
            out.append(section)
        out.append(line(values))
    return "\n".join(out)


@dataclass
class Table:
    rows: list = field(default_factory=list)

    def add(self, *args, **kwargs):
        self.rows.append(Row(*args, **kwargs))

    def unmet(self):
        return [r for r in self.rows if r.verdict in ("NOT met", "no data")]
