"""The long fuzz run: every target of `tests/fuzzing`, each in a process of its own.

    .venv/bin/python benchmarks/fuzz.py [--count N] [--time-budget SECONDS] [--jobs 2]
                                        [--only NAME ...] [--seed S]
    .venv/bin/python benchmarks/fuzz.py --replay NAME INDEX [--seed S]

Each target runs `--count` inputs or until its time budget, whichever comes first. Input
number i is generated from `random.Random(f"{seed}:{i}")`, so `--replay` re-runs one with its
traceback. The table: inputs tried, exceptions outside the project's hierarchy (escapes),
hangs (an input that took longer than --hang-limit), and peak memory above the process's
baseline (the high-water mark of its resident set, after the target's set-up). Results go to
benchmarks/results/fuzz.json and fuzz.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"


class Hang(BaseException):
    """Raised by the alarm inside a case that took too long (a BaseException, so no
    `except Exception` in the code under test swallows it)."""


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise Hang


def _rng(seed: str, index: int) -> Any:
    import random

    return random.Random(f"{seed}:{index}")


def _max_rss_mb() -> float:
    # Linux reports KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(
    name: str, count: int, budget: float, seed: str, hang_limit: float
) -> dict[str, Any]:
    from tests.fuzzing import judge
    from tests.fuzzing.registry import all_targets

    target = all_targets()[name]
    signal.signal(signal.SIGALRM, _alarm)
    escapes: list[dict[str, Any]] = []
    escape_count = hangs = tried = 0
    with target.session():
        baseline = _max_rss_mb()
        started = time.monotonic()
        while tried < count and time.monotonic() - started < budget:
            index = tried
            tried += 1
            try:
                signal.setitimer(signal.ITIMER_REAL, hang_limit)
                case = target.generate(_rng(seed, index))
                verdict = judge(target, case)
            except Hang:
                hangs += 1
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if not verdict.ok:
                escape_count += 1
                if len(escapes) < 5:
                    error = verdict.escaped
                    escapes.append(
                        {"index": index, "type": type(error).__name__, "text": str(error)[:200]}
                    )
        elapsed = time.monotonic() - started
        peak = _max_rss_mb()
    return {
        "target": name,
        "inputs": tried,
        "escapes": escape_count,
        "hangs": hangs,
        "seconds": round(elapsed, 1),
        "baseline_mb": round(baseline, 1),
        "peak_above_baseline_mb": round(peak - baseline, 1),
        "examples": escapes,
    }


def replay(name: str, index: int, seed: str) -> int:
    from tests.fuzzing import judge
    from tests.fuzzing.registry import all_targets

    target = all_targets()[name]
    with target.session():
        case = target.generate(_rng(seed, index))
        print(f"case: {case!r}"[:2000])
        verdict = judge(target, case)
    if verdict.ok:
        print("held: no escape")
        return 0
    if verdict.escaped is not None:
        traceback.print_exception(verdict.escaped)
    return 1


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| target | inputs | escapes | hangs | peak memory above baseline (MB) | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['target']} | – | worker failed: {row['error'][:80]} | | | |")
            continue
        lines.append(
            f"| {row['target']} | {row['inputs']:,} | {row['escapes']} | {row['hangs']} | "
            f"{row['peak_above_baseline_mb']:.1f} | {row['seconds']:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--time-budget", type=float, default=60.0, help="seconds per target")
    parser.add_argument("--hang-limit", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", default="ndnclient")
    parser.add_argument("--only", nargs="*", default=None, help="target names (prefixes)")
    parser.add_argument("--counts", default="", help="per-target counts: name=N,name=N")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--replay", nargs=2, metavar=("NAME", "INDEX"))
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(
            json.dumps(
                run_worker(args.worker, args.count, args.time_budget, args.seed, args.hang_limit)
            )
        )
        return 0
    if args.replay:
        return replay(args.replay[0], int(args.replay[1]), args.seed)

    from tests.fuzzing.registry import all_targets

    names = [
        name
        for name in all_targets()
        if not args.only or any(name.startswith(prefix) for prefix in args.only)
    ]
    per_target = dict(item.split("=") for item in args.counts.split(",") if item)
    pending = list(names)
    running: list[tuple[str, subprocess.Popen[str]]] = []
    rows: dict[str, dict[str, Any]] = {}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    while pending or running:
        while pending and len(running) < args.jobs:
            name = pending.pop(0)
            count = int(per_target.get(name, args.count))
            command = [
                sys.executable,
                __file__,
                "--worker",
                name,
                "--count",
                str(count),
                "--time-budget",
                str(args.time_budget),
                "--seed",
                args.seed,
                "--hang-limit",
                str(args.hang_limit),
            ]
            running.append(
                (name, subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env))
            )
        time.sleep(0.2)
        for entry in list(running):
            name, process = entry
            if process.poll() is None:
                continue
            running.remove(entry)
            output = (process.stdout.read() if process.stdout else "").strip().splitlines()
            try:
                rows[name] = json.loads(output[-1])
            except (IndexError, json.JSONDecodeError):
                rows[name] = {"target": name, "error": f"exit {process.returncode}"}
            print(f"done: {name}", file=sys.stderr)
    ordered = [rows[name] for name in names]
    table = _table(ordered)
    print(table)
    for row in ordered:
        for example in row.get("examples", []):
            print(f"  {row['target']} #{example['index']}: {example['type']}: {example['text']}")
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        document = {
            "seed": args.seed,
            "count": args.count,
            "time_budget": args.time_budget,
            "rows": ordered,
        }
        (RESULTS / "fuzz.json").write_text(json.dumps(document, indent=2) + "\n")
        (RESULTS / "fuzz.md").write_text(table + "\n")
    return 0 if all(r.get("escapes") == 0 and r.get("hangs") == 0 for r in ordered) else 1


if __name__ == "__main__":
    sys.exit(main())
