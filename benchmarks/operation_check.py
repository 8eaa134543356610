"""Benchmark: the operation check.

1. The whole check on a healthy setup (the virtual card through real pcscd, a real slapd with
   the test CA's CRL and ARL): wall time per run, against the sum of the checks' own times
   (what running independent checks side by side saves). Target: under 1 s wall.
2. Time to a G04 verdict with a silent server and with dropped packets (a network namespace
   with an iptables DROP rule), against the configured bounds (target: bound + 0.5 s), and
   what ldap3 with its default settings does in the same case (capped).

Run as root with pcscd running (scripts/start-pcscd.sh):
    .venv/bin/python benchmarks/operation_check.py [--rounds N]
Results go to benchmarks/results/operation_check.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402

from ndnclient.card.jobs import DirectCardAccess  # noqa: E402
from ndnclient.card.pcsc import PcscBackend  # noqa: E402
from ndnclient.diagnostics.checks import ALL_CHECKS  # noqa: E402
from ndnclient.diagnostics.context import CheckContext  # noqa: E402
from ndnclient.diagnostics.runner import CheckRunner  # noqa: E402
from ndnclient.pki.ldap_repository import LdapProbe  # noqa: E402
from ndnclient.settings.cards import RegisteredCard  # noqa: E402
from ndnclient.settings.policy import Policy  # noqa: E402
from ndnclient.settings.service import SettingsService  # noqa: E402
from ndnclient.settings.store import SettingsStore  # noqa: E402
from ndnclient.simulator.card import VirtualGoSignCard  # noqa: E402
from ndnclient.simulator.state import VirtualCardState, create_state  # noqa: E402
from ndnclient.simulator.testca import TestCA  # noqa: E402
from ndnclient.simulator.vpcd import VpcdBridge  # noqa: E402
from tests.integration.ldap_server import RepositoryEntry, Slapd  # noqa: E402

CAP_SECONDS = 30.0
DEFAULT_CONNECT, DEFAULT_RECEIVE = 3.0, 5.0


def wait_for_card(backend: PcscBackend, present: bool) -> None:
    deadline = time.monotonic() + 5
    while any(s.card_present for s in backend.snapshot().values()) != present:
        if time.monotonic() > deadline:
            raise RuntimeError("pcscd did not see the card change")
        time.sleep(0.05)


def healthy_setup(folder: Path) -> tuple[VirtualCardState, SettingsService, Slapd]:
    """A card, a real slapd with its CA's CRL and ARL, and settings where every check can
    pass: the setup a working PC has. The caller stops the server."""
    ca = TestCA.generate()
    state = create_state(ca=ca, kdf_iterations=1000)
    entry = RepositoryEntry(
        "ndnclient Test GoSign CA",
        crl=ca.issue_crl().public_bytes(Encoding.DER),
        arl=ca.issue_crl(crl_number=2).public_bytes(Encoding.DER),
        ca_certificate=ca.certificate_der(),
    )
    server = Slapd(folder / "slapd", [entry]).start()
    anchors = folder / "ca.pem"
    anchors.write_bytes(ca.certificate.public_bytes(Encoding.PEM))
    service = SettingsService(SettingsStore(folder / "config"), Policy())
    service.set("ldap.url", server.url(entry))
    service.set("trust.anchor_files", [str(anchors)])
    service.set("readers.supported", ["Virtual PCD"])
    service.set("urls.allowed", ["https://www.e-bisc.go.jp"])
    service.register_card(
        RegisteredCard(state.card_number, state.valid_from, state.valid_to), state.valid_from
    )
    return state, service, server


def healthy_runs(rounds: int, folder: Path) -> dict[str, Any]:
    state, service, server = healthy_setup(folder)
    settings, _ = service.load()
    backend = PcscBackend()
    walls, sums, statuses = [], [], set()
    try:
        with VpcdBridge(VirtualGoSignCard(state)):
            wait_for_card(backend, True)
            for _ in range(rounds + 1):  # the first run warms imports and the PC/SC context
                access = DirectCardAccess(PcscBackend)
                context = CheckContext(settings, access)
                started = time.perf_counter()
                results = CheckRunner(ALL_CHECKS, context).run()
                walls.append((time.perf_counter() - started) * 1000)
                sums.append(sum(r.elapsed_ms for r in results))
                statuses |= {r.status.value for r in results}
                access.close()
        wait_for_card(backend, False)
    finally:
        backend.close()
        server.stop()
    walls, sums = walls[1:], sums[1:]
    return {
        "rounds": rounds,
        "statuses_seen": sorted(statuses),
        "wall_ms_median": round(statistics.median(walls), 1),
        "wall_ms_max": round(max(walls), 1),
        "sum_of_checks_ms_median": round(statistics.median(sums), 1),
        "saved_by_running_side_by_side_ms": round(
            statistics.median(sums) - statistics.median(walls), 1
        ),
    }


class SilentServer:
    def __enter__(self) -> int:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.stop = threading.Event()
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()
        return int(self.server.getsockname()[1])

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.accepted.append(self.server.accept()[0])
            except OSError:
                continue

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for connection in self.accepted:
            connection.close()
        self.server.close()


LDAP3_DEFAULTS = textwrap.dedent("""
    import sys, time, ldap3
    started = time.monotonic()
    try:
        server = ldap3.Server(sys.argv[1], port=int(sys.argv[2]), get_info=ldap3.NONE)
        ldap3.Connection(server, auto_bind=True)
        outcome = "answered"
    except Exception as error:
        outcome = type(error).__name__
    print(f"{time.monotonic() - started:.2f} {outcome}", flush=True)
""")

OUR_PROBE = textwrap.dedent("""
    import sys, time
    from ndnclient.pki.ldap_repository import LdapProbe
    probe = LdapProbe(sys.argv[1], connect_timeout=float(sys.argv[2]),
                      receive_timeout=float(sys.argv[3]))
    result = probe.run()
    print(f"{result.elapsed_ms / 1000:.2f} {result.reason}", flush=True)
""")


def capped(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `command`, give up at the cap; the time and what it said."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CAP_SECONDS, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"seconds": f"> {CAP_SECONDS:g} (capped)", "outcome": "still waiting"}
    seconds, _, outcome = done.stdout.strip().partition(" ")
    return {"seconds": float(seconds or time.monotonic() - started), "outcome": outcome}


def g04_verdicts() -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results: dict[str, Any] = {
        "bounds": {"connect_s": DEFAULT_CONNECT, "receive_s": DEFAULT_RECEIVE}
    }
    with SilentServer() as port:
        probe = LdapProbe(
            f"ldap://127.0.0.1:{port}/o=x",
            connect_timeout=DEFAULT_CONNECT,
            receive_timeout=DEFAULT_RECEIVE,
        )
        result = probe.run()
        results["silent_server"] = {
            "ndnclient_s": result.elapsed_ms / 1000,
            "reason": result.reason.value if result.reason else None,
            "target_s": DEFAULT_RECEIVE + 0.5,
            "ldap3_defaults": capped(
                [sys.executable, "-c", LDAP3_DEFAULTS, "127.0.0.1", str(port)], env
            ),
        }
    namespace = f"ndnclient-bench-{os.getpid()}"
    if (
        subprocess.run(
            ["ip", "netns", "add", namespace], capture_output=True, check=False
        ).returncode
        != 0
    ):
        results["dropped_packets"] = "skipped: no network namespace can be made here"
        return results
    try:
        for command in (
            ["ip", "link", "set", "lo", "up"],
            ["iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "389", "-j", "DROP"],
        ):
            subprocess.run(["ip", "netns", "exec", namespace, *command], check=True)
        inside = ["ip", "netns", "exec", namespace, sys.executable, "-c"]
        ours = capped(
            [
                *inside,
                OUR_PROBE,
                "ldap://127.0.0.1:389/o=x",
                str(DEFAULT_CONNECT),
                str(DEFAULT_RECEIVE),
            ],
            env,
        )
        results["dropped_packets"] = {
            "ndnclient_s": ours["seconds"],
            "reason": ours["outcome"],
            "target_s": DEFAULT_CONNECT + 0.5,
            "ldap3_defaults": capped([*inside, LDAP3_DEFAULTS, "127.0.0.1", "389"], env),
        }
    finally:
        subprocess.run(["ip", "netns", "delete", namespace], check=False)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        healthy = healthy_runs(args.rounds, Path(folder))
    report = {
        "benchmark": "the operation check",
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "healthy": healthy,
        "g04": g04_verdicts(),
    }
    out = ROOT / "benchmarks" / "results" / "operation_check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
