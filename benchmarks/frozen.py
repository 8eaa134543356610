"""Benchmark: the frozen program (dist/ndnclient, installer/ndnclient.spec) against the same
command from the virtual environment.

It plugs the virtual card into pcscd's vpcd reader and times, from process start to exit with
its output complete, `ndnclient card status --json` run as the frozen program and as
`.venv/bin/ndnclient` (alternating, after one warm-up run each so that the disk cache is warm
for both). It also reports the size of the frozen folder, and of its largest parts.

Run: bash scripts/build-frozen.sh && .venv/bin/python benchmarks/frozen.py [--rounds N]
(pcscd must be running: scripts/start-pcscd.sh). Results go to benchmarks/results/frozen.json.
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
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from operation_check import wait_for_card  # noqa: E402  (benchmarks/ is on the path)

from ndnclient.card.pcsc import PcscBackend  # noqa: E402
from ndnclient.simulator.card import VirtualGoSignCard  # noqa: E402
from ndnclient.simulator.state import create_state  # noqa: E402
from ndnclient.simulator.vpcd import VpcdBridge  # noqa: E402

FROZEN = ROOT / "dist" / "ndnclient"


def folder_size(path: Path) -> int:
    # PyInstaller links some libraries on Linux: a link is counted once, as a link.
    return sum(
        entry.lstat().st_size
        for entry in path.rglob("*")
        if not entry.is_dir() or entry.is_symlink()
    )


def largest_parts(folder: Path, count: int = 8) -> dict[str, float]:
    parts = {
        str(entry.relative_to(folder)): folder_size(entry)
        if entry.is_dir()
        else entry.stat().st_size
        for entry in (folder / "_internal").iterdir()
    }
    biggest = sorted(parts.items(), key=lambda item: item[1], reverse=True)[:count]
    return {name: round(size / 2**20, 1) for name, size in biggest}


def time_command(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=environment, check=False)
    took = (time.perf_counter() - started) * 1000
    if done.returncode != 0 or json.loads(done.stdout)["card_type"] != "gosign":
        raise RuntimeError(done.stderr.decode(errors="replace"))
    return took


def summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "min_ms": round(ordered[0], 1),
    }


def run(rounds: int) -> dict[str, Any]:
    if not (FROZEN / "ndnclient").exists():
        raise SystemExit("no dist/ndnclient: run scripts/build-frozen.sh first")
    commands = {
        "frozen": [str(FROZEN / "ndnclient"), "card", "status", "--json"],
        "venv": [str(ROOT / ".venv" / "bin" / "ndnclient"), "card", "status", "--json"],
    }
    timings: dict[str, list[float]] = {name: [] for name in commands}
    backend = PcscBackend()
    with tempfile.TemporaryDirectory() as config:
        environment = {
            **os.environ,
            "NDNCLIENT_CONFIG_DIR": config,
            "NDNCLIENT_POLICY_FILE": str(Path(config) / "none.toml"),
        }
        state = create_state(kdf_iterations=1000)
        with VpcdBridge(VirtualGoSignCard(state)):
            wait_for_card(backend, True)
            for command in commands.values():  # warm-up: disk cache, pcscd
                time_command(command, environment)
            for _ in range(rounds):
                for name, command in commands.items():
                    timings[name].append(time_command(command, environment))
        wait_for_card(backend, False)
    backend.close()
    return {
        "rounds": rounds,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "frozen_folder_mib": round(folder_size(FROZEN) / 2**20, 1),
        "frozen_files": sum(1 for entry in FROZEN.rglob("*") if not entry.is_dir()),
        "largest_parts_mib": largest_parts(FROZEN),
        "card_status_json": {name: summary(values) for name, values in timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    result = run(args.rounds)
    out = ROOT / "benchmarks" / "results" / "frozen.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
