"""Benchmark: the lending ledger with 100,000 entries, SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/ledger.py [--entries N] [--rounds N] [--no-postgres]

The entries span five years (about 20,000 a year, 1,700 a month): lendings, uses and returns
of ten cards, written through each store's own `append` (so the chain is real). Then, for each
store, the median of `--rounds` runs of:

- list: the entries of one month (`store.entries(start=, end=)`, what `ledger list --from
  --to` reads);
- verify: the whole chain recomputed (`Ledger.verify`, what `ledger verify` runs);
- export: one year of entries read and written as an Excel workbook (ndnclient.ledger.export,
  when it exists), and as CSV.

Targets (issue 15): list < 100 ms, verify < 2 s, an export of 20,000 rows < 10 s.
PostgreSQL runs in a private cluster on 127.0.0.1 (tests/integration/postgres.py; Debian's
`postgresql` must be installed; as root the server runs as an unprivileged user). Results go
to benchmarks/results/ledger.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from ndnclient.ledger.entries import Entry  # noqa: E402
from ndnclient.ledger.postgres_store import PostgresStore  # noqa: E402
from ndnclient.ledger.service import Ledger  # noqa: E402
from ndnclient.ledger.sqlite_store import SqliteStore  # noqa: E402
from ndnclient.ledger.store import LedgerStore  # noqa: E402
from tests.integration.postgres import private_cluster  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ledger.md"
TARGETS = {"list": 0.1, "verify": 2.0, "export_xlsx": 10.0}
CARDS = [f"92000000999900{n:02d}" for n in range(1, 11)]
SPAN = timedelta(days=5 * 365)
FIRST = datetime(2022, 4, 1, tzinfo=UTC)
BATCH = 5000  # entries per write transaction while filling


def synthetic_entries(count: int) -> Iterator[Entry]:
    """Lend, three uses, return, card after card, evenly over SPAN."""
    step = SPAN / count
    for index in range(count):
        card = CARDS[(index // 5) % len(CARDS)]
        moment = FIRST + step * index
        phase = index % 5
        if phase == 0:
            yield Entry(
                kind="lend",
                time=moment,
                card_number=card,
                user=f"職員{index % 37:02d}",
                purpose="入札書の提出（電子入札）",
                destination="県 電子入札システム",
                approver="保管 責任者",
                due=moment + timedelta(hours=4),
                pc="PC-01",
                os_user="staff",
            )
        elif phase < 4:
            yield Entry(
                kind="use",
                time=moment,
                card_number=card,
                operation="sign_g14" if phase == 2 else "pin_verify",
                result="ok",
                tries_left=10,
                data_sha256=("ab" * 32) if phase == 2 else None,
                pc="PC-01",
                os_user="staff",
                lending_id=index - phase + 1,
            )
        else:
            yield Entry(kind="return", time=moment, card_number=card, pc="PC-01", os_user="staff")


def fill(store: LedgerStore, count: int) -> float:
    started = time.perf_counter()
    source = synthetic_entries(count)
    written = 0
    while written < count:
        with store.transaction() as transaction:
            for entry in source:
                transaction.append(entry)
                written += 1
                if written % BATCH == 0:
                    break
    return time.perf_counter() - started


def median_time(action: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    timings: list[float] = []
    result: Any = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


@dataclass
class Figures:
    backend: str
    fill: float
    list: float
    listed: int
    verify: float
    verified: int
    export_rows: int
    export_xlsx: float | None
    export_csv: float | None


def measure(backend: str, store: LedgerStore, count: int, rounds: int) -> Figures:
    filled = fill(store, count)
    ledger = Ledger(store, pc="PC-01", os_user="staff")
    month_start = FIRST + SPAN / 2
    month_end = month_start + timedelta(days=30)
    list_time, month = median_time(lambda: store.entries(start=month_start, end=month_end), rounds)
    verify_time, result = median_time(ledger.verify, rounds)
    if not result.intact:
        raise SystemExit(f"{backend}: the benchmark's own chain is broken at {result.first_broken}")
    year_start = FIRST + timedelta(days=365)
    year_end = year_start + timedelta(days=365)
    year = store.entries(start=year_start, end=year_end)
    xlsx_time: float | None = None
    csv_time: float | None = None
    if importlib.util.find_spec("ndnclient.ledger.export") is not None:
        from ndnclient.ledger import export

        def header() -> Any:
            return export.ExportHeader(
                start=year_start, end=year_end, head=result.head, exported_at=datetime.now(UTC)
            )

        xlsx_time, _ = median_time(
            lambda: export.xlsx_bytes(store.entries(start=year_start, end=year_end), header()),
            max(1, rounds // 2),
        )
        csv_time, _ = median_time(
            lambda: export.csv_bytes(store.entries(start=year_start, end=year_end), header()),
            max(1, rounds // 2),
        )
    return Figures(
        backend=backend,
        fill=filled,
        list=list_time,
        listed=len(month),
        verify=verify_time,
        verified=result.entries,
        export_rows=len(year),
        export_xlsx=xlsx_time,
        export_csv=csv_time,
    )


@contextmanager
def sqlite_store() -> Iterator[LedgerStore]:
    with tempfile.TemporaryDirectory(prefix="ndnclient-bench-") as folder:
        store = SqliteStore(Path(folder) / "ledger.sqlite3")
        try:
            yield store
        finally:
            store.close()


@contextmanager
def postgres_store() -> Iterator[LedgerStore]:
    with private_cluster() as cluster:
        store = PostgresStore(cluster.url, connect_timeout=5, statement_timeout=60)
        try:
            yield store
        finally:
            store.close()


def _cell(seconds: float | None, target: float | None = None) -> str:
    if seconds is None:
        return "—"
    text = f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"
    if target is not None:
        text += " ✓" if seconds < target else " ✗ (target missed)"
    return text


def table(results: list[Figures], count: int, rounds: int) -> str:
    lines = [
        f"# Ledger benchmark ({count:,} entries, median of {rounds} rounds)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}. Made by benchmarks/ledger.py.",
        "",
        "| | " + " | ".join(f.backend for f in results) + " | target |",
        "| --- | " + " | ".join("---:" for _ in results) + " | ---: |",
    ]

    def row(label: str, values: list[str], target: str) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("fill (not a target)", [_cell(f.fill) for f in results], "")
    row(
        "list one month",
        [f"{_cell(f.list, TARGETS['list'])} ({f.listed:,} rows)" for f in results],
        "< 100 ms",
    )
    row(
        "verify the whole chain",
        [f"{_cell(f.verify, TARGETS['verify'])} ({f.verified:,} entries)" for f in results],
        "< 2 s",
    )
    row(
        "export one year, .xlsx",
        [
            f"{_cell(f.export_xlsx, TARGETS['export_xlsx'])} ({f.export_rows:,} rows)"
            for f in results
        ],
        "< 10 s",
    )
    row("export one year, .csv", [_cell(f.export_csv) for f in results], "")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    backends: list[tuple[str, Callable[[], Any]]] = [("SQLite", sqlite_store)]
    if not args.no_postgres:
        backends.append(("PostgreSQL", postgres_store))
    results: list[Figures] = []
    for name, open_store in backends:
        with open_store() as store:
            figures = measure(name, store, args.entries, args.rounds)
        print(figures, flush=True)
        results.append(figures)
    text = table(results, args.entries, args.rounds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
