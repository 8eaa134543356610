"""Benchmark: "card status" (select, info, certificate, PIN status) through real pcscd.

For each transport variant the virtual card offers (T=1 or T=0, with or without extended
length) it plugs the virtual card into pcscd's vpcd reader, reads the status many times with
the project's PC/SC backend, and reports:
- the APDUs that reached the card per status, against the minimum docs/card-profile.md allows;
- the time per status (median and 95th percentile), and of the whole `ndnclient card
  status --json` command in a new process.

Run: .venv/bin/python benchmarks/card_status.py [--rounds N] (pcscd must be running:
scripts/start-pcscd.sh). Results go to benchmarks/results/card_status.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ndnclient.card.pcsc import PcscBackend  # noqa: E402
from ndnclient.card.status import read_card_status  # noqa: E402
from ndnclient.simulator.card import VirtualGoSignCard  # noqa: E402
from ndnclient.simulator.state import create_state  # noqa: E402
from ndnclient.simulator.vpcd import VpcdBridge  # noqa: E402

VARIANTS = [
    {"name": "T=1, extended length", "t0": False, "extended_length": True},
    {"name": "T=1, short only", "t0": False, "extended_length": False},
    {"name": "T=0, extended length", "t0": True, "extended_length": True},
    {"name": "T=0, short only", "t0": True, "extended_length": False},
]
SHORT = 256


def minimum_apdus(info_length: int, cert_length: int, *, t0: bool, extended: bool) -> int:
    """The fewest APDUs docs/card-profile.md allows for one status read on a fresh session.

    SELECT application; SELECT + READ CARD_INFO (its length is unknown, so one read of up
    to 256 bytes); SELECT + header READ (4 bytes) + the rest of USER_CERT; two status-only
    VERIFYs. Without extended length the rest comes in 256-byte reads, after the one
    extended attempt the profile's fallback costs (6700) on a fresh session. T=0 has no
    extended Le, so reads are short from the start; every answer with data comes through
    GET RESPONSE (256 bytes each), and a READ whose Le exceeds what is left is first
    answered 6Cxx.
    """
    rest = cert_length - 4
    reads = [min(info_length, SHORT), 4]  # data sizes each READ returns
    if extended and not t0:
        reads.append(rest)
        probe = 0
    else:
        reads += [min(SHORT, rest - offset) for offset in range(0, rest, SHORT)]
        # T=0 cannot carry extended Le, so the client starts short there: no probe.
        probe = 0 if t0 else 1
    commands = 1 + 2 + 2 + len(reads) + probe  # SELECT app, 2 SELECT file, 2 VERIFY
    if t0:
        get_responses = sum(math.ceil(size / SHORT) for size in reads)
        wrong_le = 1 if info_length < SHORT else 0  # CARD_INFO read with Le 256
        commands += get_responses + wrong_le
    return commands


def wait_until_card(backend: PcscBackend, *, present: bool, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while any(slot.card_present for slot in backend.snapshot().values()) != present:
        if time.monotonic() > deadline:
            raise RuntimeError(f"pcscd did not see the virtual card {'in' if present else 'out'}")
        time.sleep(0.05)


def run_variant(variant: dict[str, Any], rounds: int) -> dict[str, Any]:
    state = create_state(
        t0=variant["t0"], extended_length=variant["extended_length"], kdf_iterations=1000
    )
    card = VirtualGoSignCard(state)
    received: list[bytes] = []

    def observe(apdu: bytes) -> None:
        received.append(apdu)
        return None

    bridge = VpcdBridge(card, fault=observe)
    backend = PcscBackend()
    with bridge:
        wait_until_card(backend, present=True)
        read_card_status(backend)  # warm-up: imports, the PC/SC context
        timings, apdus = [], []
        for _ in range(rounds):
            before = len(received)
            start = time.perf_counter()
            status = read_card_status(backend)
            timings.append((time.perf_counter() - start) * 1000)
            apdus.append(len(received) - before)
            if status.problem is not None:
                raise RuntimeError(f"status {len(timings)} failed: {status.problem}")
        cli = []
        for _ in range(max(3, rounds // 10)):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "ndnclient", "card", "status", "--json"],
                capture_output=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                check=False,
            )
            cli.append((time.perf_counter() - start) * 1000)
            if done.returncode != 0:
                raise RuntimeError(done.stderr.decode(errors="replace"))
    # pcscd notices a pulled card at its next poll; the next variant's card must not be
    # plugged in before that, or pcscd would take it for the old, already powered card.
    wait_until_card(backend, present=False)
    backend.close()
    from ndnclient.simulator.card import build_card_info

    info_length = len(build_card_info(state))
    cert_length = len(state.user_certificate_der)
    timings.sort()
    return {
        "variant": variant["name"],
        "card_info_bytes": info_length,
        "certificate_bytes": cert_length,
        "apdus_per_status": statistics.mode(apdus),
        "minimum_apdus": minimum_apdus(
            info_length, cert_length, t0=variant["t0"], extended=variant["extended_length"]
        ),
        "ms_per_status_median": round(statistics.median(timings), 2),
        "ms_per_status_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
        "cli_ms_median": round(statistics.median(cli), 1),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    results = [run_variant(variant, args.rounds) for variant in VARIANTS]
    report = {
        "benchmark": "card status through pcscd + vpcd + the virtual card",
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "results": results,
    }
    out = ROOT / "benchmarks" / "results" / "card_status.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    header = (
        f"{'variant':<22} {'APDUs':>5} {'min':>4} {'median ms':>10} {'p95 ms':>8} {'CLI ms':>8}"
    )
    print(header)
    for r in results:
        print(
            f"{r['variant']:<22} {r['apdus_per_status']:>5} {r['minimum_apdus']:>4} "
            f"{r['ms_per_status_median']:>10} {r['ms_per_status_p95']:>8} "
            f"{r['cli_ms_median']:>8}"
        )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
