"""What every benchmark suite shares: timing, figures with targets, the machine, the report.

A suite is a module with TITLE and `run(ctx: Context) -> Section`; bench/run.py lists them.
"""

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


class BenchError(RuntimeError):
    """A benchmark did not do what it measures (wrong row count, error response)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


@dataclass(frozen=True)
class Target:
    limit: float
    unit: str
    inclusive: bool = False  # "≤" rather than "<"

    def met(self, value: float) -> bool:
        return value <= self.limit if self.inclusive else value < self.limit

    def __str__(self) -> str:
        return f"{'≤' if self.inclusive else '<'} {_number(self.limit)} {self.unit}".rstrip()


BUSY_CPU_SHARE = 0.85  # below this share of a core, a timing waited for other processes


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: Target | None = None
    runs: list[float] = field(default_factory=list)  # every timed run, in order
    note: str = ""
    cpu_share: float | None = None  # see Timing.cpu_share

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "—"
        return "PASS" if self.target.met(self.value) else "FAIL"


@dataclass
class Section:
    key: str
    title: str
    description: str  # markdown: what is measured and how
    figures: list[Figure] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # further markdown blocks


@dataclass
class Context:
    quick: bool
    data_dir: Path
    seed: int
    until: date  # last shipping day of generated units
    actor: object = None  # the user imports and generated rows are attributed to


@dataclass
class Timing:
    runs: list[float]  # wall-clock seconds of each run
    cpu_share: float  # this process's CPU time over wall time, all runs: well below 1 means it had to wait
    result: object = None


def timed_runs(action: Callable[[], object], *, repeat: int, setup: Callable[[], object] | None = None,
               label: str = "") -> Timing:
    """Run `setup` (untimed) then `action` (timed) `repeat` times."""
    runs, cpu, result = [], 0.0, None
    for number in range(1, repeat + 1):
        if setup is not None:
            setup()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = action()
        runs.append(time.perf_counter() - started)
        cpu += time.process_time() - started_cpu
        if label:
            log(f"{label}: run {number}/{repeat} {runs[-1]:.3f} s")
    return Timing(runs, cpu / sum(runs) if sum(runs) else 1.0, result)


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 = p95)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def _number(value: float) -> str:
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def machine_info(database: str) -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip().strip('"')
                os_name = f"{pretty} (kernel {platform.release()})"
    except OSError:
        pass
    import django

    return [
        ("CPU", f"{cpu} ({platform.machine()})"),
        ("Cores", f"{os.cpu_count()} logical"),
        ("RAM", ram),
        ("OS", os_name),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("Database", database),
        ("Code", _code_version()),
    ]


def _code_version() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"git {commit}" + (" with uncommitted changes" if dirty else "")


def render(*, sections: list[Section], machine: list[tuple[str, str]], started: datetime, seconds: float,
           quick: bool, command: str, load: tuple[str, str]) -> str:
    lines = ["# Benchmarks", ""]
    lines.append(f"Written by `{command}` on {started.isoformat(sep=' ', timespec='minutes')}, "
                 f"in {seconds / 60:.1f} minutes. Do not edit by hand: run it again.")
    lines.append("")
    if quick:
        lines += ["> **QUICK SMOKE RUN** (`--quick`): smaller volumes than the targets are set for.",
                  "> The PASS/FAIL marks below do not tell whether the real targets are met; run `make bench`.", ""]
    lines += ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in machine]
    lines.append(f"| Load average (1/5/15 min) | {load[0]} at the start, {load[1]} at the end |")
    shares = [f.cpu_share for s in sections for f in s.figures if f.cpu_share is not None]
    if shares and min(shares) < BUSY_CPU_SHARE:
        lines += ["", f"> **Other work shared the CPU during this run**: some timings got only {min(shares):.0%} of a "
                  "core (the *CPU* column), so they are slower than this machine can do. Run it again on a quiet "
                  "machine for figures to compare."]
    lines += ["", "## Summary", "", "| benchmark | figure | value | target | result |", "|---|---|---:|---|---|"]
    for section in sections:
        for figure in section.figures:
            if figure.target is not None:
                lines.append(f"| {section.title} | {figure.name} | {_number(figure.value)} {figure.unit} | "
                             f"{figure.target} | **{figure.verdict}** |")
    for section in sections:
        lines += ["", f"## {section.title}", "", section.description.strip(), "",
                  "| figure | value | target | result | runs | CPU |", "|---|---:|---|---|---|---:|"]
        for figure in section.figures:
            cpu = f"{figure.cpu_share:.0%}" if figure.cpu_share is not None else ""
            runs = ", ".join(_number(run) for run in figure.runs)
            if len(figure.runs) > 10:
                runs = f"{len(figure.runs)} runs: {_number(min(figure.runs))} to {_number(max(figure.runs))}"
            note = f" ({figure.note})" if figure.note else ""
            lines.append(f"| {figure.name}{note} | {_number(figure.value)} {figure.unit} | "
                         f"{figure.target or '—'} | {figure.verdict} | {runs} | {cpu} |")
        for block in section.details:
            lines += ["", block.strip()]
    lines += ["", "## Running them", "",
              "`make bench` (or `.venv/bin/python bench/run.py`); `--quick` for a smoke run with small volumes; "
              "`--only SUITE` for one suite. Each run works in a new SQLite database under `bench/.data/` "
              "(gitignored) with production settings (DEBUG off) and rewrites this file.", ""]
    return "\n".join(lines)
