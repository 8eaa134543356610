"""Integration helpers: the real smart-card service (pcscd with the vpcd driver) and the
project's virtual card plugged into it, a private pcscd with no reader, and no service.

The virtual card runs in this process (a bridge thread talking to vpcd on TCP 35963); the
program under test reaches it only through pcscd, as it would reach a real card.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from smartcard import scard

from ndnclient.card.apdu import SECRET_BEARING_INS
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.state import VirtualCardState
from ndnclient.simulator.vpcd import Fault, VpcdBridge
from tests.integration.ldap_server import Slapd

ROOT = Path(__file__).resolve().parents[2]
VPCD_PORT = 35963
READER = "Virtual PCD 00 00"
# vpcd's second slot: a second reader, for two cards at once (the renewal period).
VPCD_PORT_2 = 35964
READER_2 = "Virtual PCD 00 01"
SLOTS = ((READER, VPCD_PORT), (READER_2, VPCD_PORT_2))
SOCKET = Path("/run/pcscd/pcscd.comm")
CA_CN = "ndnclient Test GoSign CA"  # the test CA's entry in the LDAP repository
CONNECT_TIMEOUT, RECEIVE_TIMEOUT = 1, 2  # seconds: short, so that failing tests end soon


def reader_state(reader: str) -> int | None:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return None
    try:
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        return int(states[0][1]) if hresult == scard.SCARD_S_SUCCESS else None
    finally:
        scard.SCardReleaseContext(context)


def wait_for_card(present: bool, timeout: float = 5.0, reader: str = READER) -> None:
    """Wait until pcscd itself reports the virtual card in `reader` present (or gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = reader_state(reader)
        if state is not None and bool(state & scard.SCARD_STATE_PRESENT) == present:
            return
        time.sleep(0.05)
    raise AssertionError(
        f"pcscd did not see the card {'in' if present else 'out'} of {reader} in {timeout}s"
    )


@dataclass
class PluggedCard:
    """The virtual card in the vpcd reader. `received` logs every APDU the card got."""

    state: VirtualCardState
    card: VirtualGoSignCard
    bridge: VpcdBridge
    received: list[bytes] = field(default_factory=list)
    faults: list[Callable[[bytes], Fault | None]] = field(default_factory=list)
    reader: str = READER

    def insert(self) -> None:
        self.bridge.insert()
        assert self.bridge.wait_inserted(5), f"vpcd not reached: {self.bridge.error}"
        wait_for_card(present=True, reader=self.reader)

    def pull(self) -> None:
        self.bridge.remove()
        wait_for_card(present=False, reader=self.reader)

    def pin_commands_received(self) -> list[bytes]:
        """VERIFY, CHANGE and RESET RETRY COUNTER commands that carried data."""
        return [a for a in self.received if a[1] in SECRET_BEARING_INS and len(a) > 4]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.stdout)
        return document


def run_cli(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    program: Sequence[str] = (sys.executable, "-m", "ndnclient"),
) -> CliResult:
    """Run the real command line in a new process, as a user or script would (by default
    from the source tree; `program` names another, such as the frozen one)."""
    inherited = {k: v for k, v in os.environ.items() if k != "NDNCLIENT_READER"}
    environment = {**inherited, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run(
        [*program, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def der(crl: Any) -> bytes:
    return bytes(crl.public_bytes(Encoding.DER))


@dataclass
class Setup:
    card: PluggedCard
    server: Slapd | None
    service: SettingsService

    def set(self, key: str, value: Any) -> None:
        self.service.set(key, value)
