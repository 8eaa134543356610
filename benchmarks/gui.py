"""Benchmark: the GUI.

1. Start: `ndnclient gui` as a user starts it (a process of its own, on a real X server, the
   virtual card in the vpcd reader of the real pcscd): time from launching the process to
   the window being up, and its memory (RSS) once the home page has read the card.
2. Responsiveness: the longest stall of the GUI thread's event loop, seen by a 5 ms
   heartbeat timer, while idle, during full operation checks (healthy setup: a real slapd
   with the CA's CRL and ARL), while the card is pulled and put back, during status reads,
   and (for the record) while the window is rebuilt for a language switch. Target: < 50 ms.

Run with pcscd running (scripts/start-pcscd.sh) and Xvfb installed:
    .venv/bin/python benchmarks/gui.py [--rounds N]
Results go to benchmarks/results/gui.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from operation_check import healthy_setup, wait_for_card  # noqa: E402

from ndnclient.card.pcsc import PcscBackend  # noqa: E402
from ndnclient.simulator.card import VirtualGoSignCard  # noqa: E402
from ndnclient.simulator.state import create_state  # noqa: E402
from ndnclient.simulator.vpcd import VpcdBridge  # noqa: E402
from tests.xserver import running_xvfb  # noqa: E402

HEARTBEAT_MS = 5
TARGET_MS = 50.0
LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%S,%f"


# --- 1. start ------------------------------------------------------------------------------


def rss_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def one_start(display: str, folder: Path) -> dict[str, float]:
    log_file = folder / "logs" / "ndnclient.log"
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "NDNCLIENT_CONFIG_DIR": str(folder / "config"),
        "NDNCLIENT_LOG_DIR": str(folder / "logs"),
        "NDNCLIENT_POLICY_FILE": str(folder / "no-policy.toml"),
    }
    launched = time.time()
    program = subprocess.Popen(
        [sys.executable, "-m", "ndnclient", "gui"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "the window is up" not in line:
            if time.monotonic() > deadline:
                raise RuntimeError("the window did not come up within 30 s")
            time.sleep(0.01)
            if log_file.exists():
                line = next(
                    (x for x in log_file.read_text().splitlines() if "the window is up" in x), ""
                )
        stamp = datetime.strptime(line[:23], LOG_TIME_FORMAT).timestamp()
        time.sleep(3.0)  # the home page reads the card; then the memory is what a user keeps
        memory = rss_kib(program.pid)
    finally:
        program.terminate()
        program.wait(timeout=15)
    return {
        "window_ms": (stamp - launched) * 1000,
        "rss_mib": memory["VmRSS"] / 1024,
        "peak_rss_mib": memory["VmHWM"] / 1024,
    }


def starts(display: str, rounds: int) -> dict[str, Any]:
    state = create_state(kdf_iterations=1000)
    runs = []
    with VpcdBridge(VirtualGoSignCard(state)):
        for _ in range(rounds + 1):  # the first start warms the disk cache
            with tempfile.TemporaryDirectory() as folder:
                runs.append(one_start(display, Path(folder)))
    runs = runs[1:]
    return {
        "rounds": rounds,
        "window_ms_median": round(statistics.median(r["window_ms"] for r in runs)),
        "window_ms_max": round(max(r["window_ms"] for r in runs)),
        "rss_mib_median": round(statistics.median(r["rss_mib"] for r in runs), 1),
        "peak_rss_mib_max": round(max(r["peak_rss_mib"] for r in runs), 1),
    }


# --- 2. responsiveness ---------------------------------------------------------------------


class Heartbeat:
    """A precise 5 ms timer on the GUI thread; a late beat is the event loop stalling."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))

    @contextmanager
    def watching(self) -> Iterator[list[float]]:
        """Yields the list the longest gaps (ms) of the watched span go into."""
        gaps: list[float] = []
        self.beats = [time.perf_counter()]
        self.timer.start()
        try:
            yield gaps
        finally:
            self.timer.stop()
            beats = [*self.beats, time.perf_counter()]
            gaps.extend((b - a) * 1000 for a, b in itertools.pairwise(beats))


def run_until(condition: Callable[[], bool], timeout: float) -> None:
    """Run the real event loop until `condition` holds (checked every 10 ms)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    checker = QTimer()
    checker.setInterval(10)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    checker.timeout.connect(check)
    checker.start()
    loop.exec()
    checker.stop()
    if not condition():
        raise RuntimeError("timed out in the event loop")


def stall_figures(gaps: list[float]) -> dict[str, float | int | None]:
    """The longest gap between beats (a stall of the event loop), and the 99th percentile
    where there are enough beats for one."""
    p99 = round(statistics.quantiles(gaps, n=100)[98], 1) if len(gaps) >= 100 else None
    return {"longest_stall_ms": round(max(gaps), 1), "p99_gap_ms": p99, "beats": len(gaps)}


def responsiveness(display: str, rounds: int, folder: Path) -> dict[str, Any]:
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from PySide6.QtWidgets import QApplication

    from ndnclient.card.status import CardStatus
    from ndnclient.ui.app import GuiApplication

    state, service, server = healthy_setup(folder)
    app = QApplication([])
    results: dict[str, Any] = {}
    bridge = VpcdBridge(VirtualGoSignCard(state))
    probe_backend = PcscBackend()
    try:
        bridge.insert()
        wait_for_card(probe_backend, True)
        gui = GuiApplication(app, lang="ja", settings_service=service, log_dir=folder / "logs")
        window = gui.start()
        window.resize(1100, 720)
        window.show()
        home = window.home
        run_until(lambda: home.status is not None and home.status.info is not None, 10)
        heartbeat = Heartbeat()

        with heartbeat.watching() as gaps:
            run_until(lambda: len(heartbeat.beats) > 400, 10)
        results["idle_2s"] = stall_figures(gaps)

        window.show_page("check")
        check = window.check
        all_gaps, walls, verdicts = [], [], set()
        for _ in range(rounds):
            with heartbeat.watching() as gaps:
                started = time.perf_counter()
                check.start()
                run_until(lambda: not check.running and check.report is not None, 30)
                walls.append((time.perf_counter() - started) * 1000)
            if check.report is None:
                raise SystemExit("the operation check did not finish within 30 s")
            verdicts.add(check.report.summary(gui.services().messages))
            all_gaps.extend(gaps)
        results["operation_check"] = {
            "runs": rounds,
            "wall_ms_median": round(statistics.median(walls), 1),
            "summaries": sorted(verdicts),
            **stall_figures(all_gaps),
        }

        window.show_page("home")
        reads: list[CardStatus] = []
        gui.card.status_read.connect(reads.append)
        all_gaps = []
        for _ in range(rounds):
            with heartbeat.watching() as gaps:
                count = len(reads)
                bridge.remove()
                run_until(lambda c=count: len(reads) > c and reads[-1].info is None, 10)
                count = len(reads)
                bridge.insert()
                run_until(lambda c=count: len(reads) > c and reads[-1].info is not None, 10)
            all_gaps.extend(gaps)
        results["card_pulled_and_inserted"] = {"cycles": rounds, **stall_figures(all_gaps)}

        with heartbeat.watching() as gaps:
            for _ in range(rounds * 5):
                count = len(reads)
                gui.card.refresh_status()
                run_until(lambda c=count: len(reads) > c, 10)
        results["status_reads"] = {"reads": rounds * 5, **stall_figures(gaps)}

        with heartbeat.watching() as gaps:
            gui.change_language("en")
            run_until(lambda: len(heartbeat.beats) > 40, 5)
        results["language_switch_rebuild"] = stall_figures(gaps)
        gui.stop()
    finally:
        bridge.remove()
        probe_backend.close()
        server.stop()
    results["target_ms"] = TARGET_MS
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with running_xvfb() as display, tempfile.TemporaryDirectory() as folder:
        start = starts(display, args.rounds)
        responsive = responsiveness(display, args.rounds, Path(folder))
    report = {
        "benchmark": "the GUI",
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "start": start,
        "event_loop": responsive,
    }
    out = ROOT / "benchmarks" / "results" / "gui.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
