"""What every benchmark suite shares: timing, figures with targets, the machine, the report.

A suite is a module with TITLE and `run(ctx: Context) -> Section`; bench/run.py lists them.
"""

import os
import platform
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


def machine_info() -> list[tuple[str, str]]:
    """What the report says of the machine; each run adds its database's rows (Run.version, Run.label)."""
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
        ("Code", _code_version()),
    ]


def explain(sql: str) -> str:
    """The database's plan of a query (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN), as text."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def explain_label() -> str:
    from django.db import connection

    return "SQLite EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "PostgreSQL EXPLAIN"


@dataclass
class Run:
    """One database's run of the suites (a child process of bench/run.py), as its JSON says."""

    database: str  # sqlite, postgres
    name: str  # SQLite, PostgreSQL
    version: str
    label: str  # what the report says of the database
    seconds: float
    load: tuple[str, str]  # load average at the start and at the end
    sections: list[Section]


def run_from_dict(data: dict) -> Run:
    sections = []
    for section in data["sections"]:
        figures = [Figure(**{**figure, "target": Target(**figure["target"]) if figure["target"] else None})
                   for figure in section["figures"]]
        sections.append(Section(**{**section, "figures": figures}))
    return Run(**{**data, "load": tuple(data["load"]), "sections": sections})


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


def _value(figure: Figure | None) -> str:
    return f"{_number(figure.value)} {figure.unit}".rstrip() if figure is not None else "—"


def _result(figure: Figure | None, *, bold: bool = False) -> str:
    if figure is None:
        return "not run"
    return f"**{figure.verdict}**" if bold and figure.target is not None else figure.verdict


def _runs(figure: Figure) -> str:
    if len(figure.runs) > 10:
        return f"{len(figure.runs)} runs: {_number(min(figure.runs))} to {_number(max(figure.runs))}"
    return ", ".join(_number(run) for run in figure.runs)


def _same(values: list) -> bool:
    return all(value == values[0] for value in values)


def render(*, runs: list[Run], machine: list[tuple[str, str]], started: datetime, seconds: float, quick: bool,
           command: str, broken: list[str] = (), note: str = "") -> str:
    """The report: the machine, a summary with a column per database, then each suite: what it measures,
    its figures on every database side by side, every run, and the suite's further blocks."""
    names = " and ".join(run.name for run in runs)
    lines = ["# Benchmarks", ""]
    lines.append(f"Written by `{command}` on {started.isoformat(sep=' ', timespec='minutes')}, "
                 f"in {seconds / 60:.1f} minutes, on {names}. Do not edit by hand: run it again.")
    lines.append("")
    if quick:
        lines += ["> **QUICK SMOKE RUN** (`--quick`): smaller volumes than the targets are set for.",
                  "> The PASS/FAIL marks below do not tell whether the real targets are met; run `make bench`.", ""]
    if note:
        lines += [f"> {note}", ""]
    for name in broken:
        lines += [f"> **The run on {name} failed**: its figures are missing from this report (see the run's "
                  "output).", ""]
    lines += ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in machine]
    for run in runs:
        lines.append(f"| {run.name} | {run.version}: {run.label} |")
    for run in runs:
        lines.append(f"| Run on {run.name} | {run.seconds / 60:.1f} minutes; load average (1/5/15 min) "
                     f"{run.load[0]} at the start, {run.load[1]} at the end |")
    for run in runs:
        shares = [f.cpu_share for s in run.sections for f in s.figures if f.cpu_share is not None]
        if shares and min(shares) < BUSY_CPU_SHARE:
            lines += ["", f"> **Other work shared the CPU during the run on {run.name}**: some timings got only "
                      f"{min(shares):.0%} of a core (the *CPU* columns), so they are slower than this machine can do. "
                      "Run it again on a quiet machine for figures to compare."]

    # Sections and figures in the order of the first run that has them; matched by suite key and figure name.
    keys, titles = [], {}
    for run in runs:
        for section in run.sections:
            if section.key not in titles:
                keys.append(section.key)
                titles[section.key] = section.title
    found = {(run.database, section.key): section for run in runs for section in run.sections}

    def figure_names(key: str) -> list[str]:
        ordered = []
        for run in runs:
            section = found.get((run.database, key))
            for figure in section.figures if section else []:
                if figure.name not in ordered:
                    ordered.append(figure.name)
        return ordered

    def figure_of(run: Run, key: str, name: str) -> Figure | None:
        section = found.get((run.database, key))
        return next((f for f in section.figures if f.name == name), None) if section else None

    header = "| benchmark | figure | target | " + " | ".join(f"{run.name} | result" for run in runs) + " |"
    lines += ["", "## Summary", "", header, "|---|---|---|" + "---:|---|" * len(runs)]
    for key in keys:
        for name in figure_names(key):
            figures = [figure_of(run, key, name) for run in runs]
            target = next((f.target for f in figures if f is not None and f.target is not None), None)
            if target is not None:
                cells = " | ".join(f"{_value(f)} | {_result(f, bold=True)}" for f in figures)
                lines.append(f"| {titles[key]} | {name} | {target} | {cells} |")

    for key in keys:
        sections = [(run, found[(run.database, key)]) for run in runs if (run.database, key) in found]
        lines += ["", f"## {titles[key]}", ""]
        descriptions = [section.description.strip() for _run, section in sections]
        if _same(descriptions):
            lines += [descriptions[0], ""]
        else:
            for run, section in sections:
                lines += [f"**On {run.name}.**", "", section.description.strip(), ""]
        lines += ["| figure | target | " + " | ".join(f"{run.name} | result | CPU" for run in runs) + " |",
                  "|---|---|" + "---:|---|---:|" * len(runs)]
        for name in figure_names(key):
            figures = [figure_of(run, key, name) for run in runs]
            present = [f for f in figures if f is not None]
            notes = [f.note for f in present]
            shared_note = f" ({notes[0]})" if notes[0] and _same(notes) else ""
            target = next((f.target for f in present if f.target is not None), None)
            cells = []
            for figure in figures:
                own_note = f" ({figure.note})" if figure is not None and figure.note and not shared_note else ""
                cpu = f"{figure.cpu_share:.0%}" if figure is not None and figure.cpu_share is not None else ""
                cells.append(f"{_value(figure)}{own_note} | {_result(figure)} | {cpu}")
            lines.append(f"| {name}{shared_note} | {target or '—'} | {' | '.join(cells)} |")
        timed = [(run, f) for run, section in sections for f in section.figures if f.runs]
        if timed:
            lines += ["", "<details><summary>Every timed run, in order</summary>", "",
                      "| figure | database | runs |", "|---|---|---|"]
            lines += [f"| {figure.name} | {run.name} | {_runs(figure)} |" for run, figure in timed]
            lines += ["", "</details>"]
        details = [section.details for _run, section in sections]
        if _same(details):
            lines += [part for block in details[0] for part in ("", block.strip())]
        else:
            for run, section in sections:
                if section.details:
                    lines += ["", f"**{run.name}:**"]
                    lines += [part for block in section.details for part in ("", block.strip())]
    lines += ["", "## Running them", "",
              "`make bench` (or `.venv/bin/python bench/run.py`); `--quick` for a smoke run with small volumes; "
              "`--only SUITE` for one suite; `--database sqlite|postgres|both` (default both). Each database's run "
              "works in a child process on a new database with production settings (DEBUG off): a new SQLite file "
              "under `bench/.data/` (gitignored), and a PostgreSQL database `aftersales_bench` on 127.0.0.1:5432 "
              "(`BENCH_POSTGRES_URL` to change it; `scripts/ensure-postgres.sh` starts the server if it does not "
              "answer) created for the run and dropped after it. The run rewrites this file.", ""]
    return "\n".join(lines)
