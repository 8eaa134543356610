"""Benchmark: start-up, as whole processes, against a bare `python -c pass` in the same run.

    .venv/bin/python benchmarks/startup.py [--rounds N] [--source DIR] [--label NAME]

Each command is started `--rounds` times (after one warm-up run each, so .pyc files exist)
and timed from the start of the process to its end; the GUI from the start of the process to
its first painted window (an event filter in the probe below prints when the main window is
first painted; the window is real, on Xvfb). Rounds of all commands are interleaved, so a
busy moment of the machine falls on all of them alike. Reported: median and 95th percentile
in ms, and each median as a ratio of the bare interpreter's.

Targets (issue 11): `--version` ≤ 2×, `card status --json` ≤ 5×, the first painted window
under 500 ms. `card status` reads the virtual card through the real pcscd (pcscd must be
running: scripts/start-pcscd.sh); `check --json` runs on a healthy setup (a real slapd).

`--source DIR` runs another checkout of the project (e.g. a `git worktree` of an older commit)
with this one's virtual environment, to compare before and after in one run; its results go
beside this one's in benchmarks/results/startup.json under `--label`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from operation_check import healthy_setup, wait_for_card  # noqa: E402

from ndnclient.card.pcsc import PcscBackend  # noqa: E402
from ndnclient.simulator.card import VirtualGoSignCard  # noqa: E402
from ndnclient.simulator.vpcd import VpcdBridge  # noqa: E402
from tests.xserver import running_xvfb  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "startup.json"
TABLE = ROOT / "benchmarks" / "startup.md"

# The window's first paint: the real `ndnclient gui`, with an application-wide event filter
# that prints a line when the main window is first painted, then quits.
FIRST_PAINT_PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            # The first paint of anything in the main window: it is on the screen.
            if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
                if isinstance(watched.window(), QMainWindow):
                    print("painted", flush=True)
                    QApplication.instance().quit()
            return False

    probe = FirstPaint()
    original_exec = QApplication.exec  # a static method in PySide6

    def exec_with_probe(self):
        self.installEventFilter(probe)
        return original_exec()

    QApplication.exec = exec_with_probe
    from ndnclient.cli import main
    sys.exit(main(["gui"]))
""")


def timed(command: list[str], env: dict[str, str], until_line: str | None = None) -> float:
    """Milliseconds from starting `command` to its end (or to the first line containing
    `until_line` on its stdout). Started in the temporary folder: `python -m` puts the
    current folder first on the path, and PYTHONPATH must decide which checkout runs."""
    cwd = env["NDNCLIENT_CONFIG_DIR"]
    started = time.perf_counter()
    if until_line is None:
        done = subprocess.run(
            command, env=env, cwd=cwd, capture_output=True, timeout=120, check=False
        )
        elapsed = (time.perf_counter() - started) * 1000
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{command} failed: {done.stderr.decode(errors='replace')}")
        return elapsed
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        for line in process.stdout or ():
            if until_line in line:
                elapsed = (time.perf_counter() - started) * 1000
                break
        else:
            raise RuntimeError(f"{command} ended without {until_line!r}")
        process.wait(timeout=30)
    return elapsed


def figures(samples: list[float], bare: float) -> dict[str, float]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    return {
        "median_ms": round(median, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "ratio_to_bare": round(median / bare, 2),
    }


def measure(rounds: int, source: Path, folder: Path) -> dict[str, Any]:
    python = sys.executable
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "NDNCLIENT_CONFIG_DIR": str(folder / "config"),
        "NDNCLIENT_POLICY_FILE": str(folder / "no-policy.toml"),
        "NDNCLIENT_LOG_DIR": str(folder / "logs"),
    }
    env.pop("NDNCLIENT_READER", None)
    # Bytecode as an installed program has it: written on the warm-up run and used after
    # (a development shell may forbid writing it, and every start would compile the source).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    program = [python, "-m", "ndnclient"]
    state, _settings, server = healthy_setup(folder)  # its settings: under `folder`
    backend = PcscBackend()
    commands: dict[str, Callable[[], float]] = {
        "python -c pass": lambda: timed([python, "-c", "pass"], env),
        "ndnclient --version": lambda: timed([*program, "--version"], env),
        "ndnclient card status --json": lambda: timed([*program, "card", "status", "--json"], env),
        "ndnclient check --json": lambda: timed([*program, "check", "--json"], env),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    paints: list[float] = []
    try:
        with VpcdBridge(VirtualGoSignCard(state)), running_xvfb() as display:
            wait_for_card(backend, True)
            gui_env = {**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}

            def first_paint() -> float:
                return timed([python, "-c", FIRST_PAINT_PROBE], gui_env, until_line="painted")

            for run in commands.values():  # warm-up: .pyc files, the service's caches
                run()
            first_paint()
            for _ in range(rounds):
                for name, run in commands.items():
                    samples[name].append(run())
                paints.append(first_paint())
        wait_for_card(backend, False)
    finally:
        backend.close()
        server.stop()
    bare = statistics.median(samples["python -c pass"])
    results = {name: figures(values, bare) for name, values in samples.items()}
    results["ndnclient gui (first painted window)"] = figures(paints, bare)
    return results


def table(runs: dict[str, Any]) -> str:
    labels = list(runs)
    names = list(next(iter(runs.values()))["commands"])
    lines = [
        "# Start-up, whole processes (benchmarks/startup.py)",
        "",
        "Median ms (ratio to `python -c pass` in the same run). Targets: `--version` ≤ 2×,",
        "`card status --json` ≤ 5×, the first painted window under 500 ms.",
        "",
        "| command | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---" for _ in labels) + " |",
    ]
    for name in names:
        cells = []
        for label in labels:
            figure = runs[label]["commands"][name]
            cells.append(f"{figure['median_ms']} ms ({figure['ratio_to_bare']}×)")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += ["", "Machine: " + next(iter(runs.values()))["machine"], ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--label", default="now", help="the name of this run in the results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ndnclient-startup-") as folder:
        commands = measure(args.rounds, args.source.resolve(), Path(folder))
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs[args.label] = {
        "commands": commands,
        "rounds": args.rounds,
        "source": str(args.source),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    TABLE.write_text(table(runs))
    print(TABLE.read_text())


if __name__ == "__main__":
    main()
