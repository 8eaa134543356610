"""Integration fixtures: pcscd with the vpcd reader, the virtual card plugged into it, and a
private pcscd with no reader. Helpers shared with the tests live in support.py."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile
from ndnclient.card.status import today_in_japan
from ndnclient.settings.cards import RegisteredCard
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA
from ndnclient.simulator.vpcd import Fault, VpcdBridge
from tests.integration.ldap_server import RepositoryEntry, Slapd
from tests.integration.support import (
    CA_CN,
    CONNECT_TIMEOUT,
    READER,
    RECEIVE_TIMEOUT,
    ROOT,
    SLOTS,
    PluggedCard,
    Setup,
    der,
    reader_state,
    wait_for_card,
)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[None]:
    """The system's pcscd with the vpcd reader; started here if nobody started it.

    The tests own vpcd's two slots. The README's virtual card (`scripts/run.sh` plugs it in
    with scripts/virtual-card.sh) is taken out for the session and put back afterwards, so
    the README's two commands work in either order."""
    if reader_state(READER) is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "start-pcscd.sh")], check=True)
        deadline = time.monotonic() + 10
        while reader_state(READER) is None:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"pcscd runs but offers no reader {READER!r}: is vsmartcard-vpcd "
                    "installed (scripts/setup.sh)?"
                )
            time.sleep(0.1)
    readme_card_was_in = _virtual_card("status").returncode == 0
    if readme_card_was_in:
        _virtual_card("stop")
    try:
        # A card left in by an earlier run that died would confuse every test.
        for reader, _ in SLOTS:
            wait_for_card(present=False, timeout=10, reader=reader)
        yield
    finally:
        if readme_card_was_in:
            _virtual_card("start")


def _virtual_card(action: str) -> subprocess.CompletedProcess[str]:
    """scripts/virtual-card.sh: the README's virtual card (its own state, its own process)."""
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "virtual-card.sh"), action],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def plug_card(
    pcscd: None, shared_ca: TestCA, shared_user_key: Any
) -> Iterator[Callable[..., PluggedCard]]:
    """Plug a virtual card made with `create_state` options into the vpcd reader (`slot=1`:
    into the second one, for two cards at once; `profile=`: the layout it answers in)."""
    plugged: list[PluggedCard] = []

    def plug(slot: int = 0, profile: GoSignProfile = GOSIGN_PROFILE, **options: Any) -> PluggedCard:
        options.setdefault("kdf_iterations", 1000)  # tests need no slow PIN hashing
        state = create_state(ca=shared_ca, user_key=shared_user_key, **options)
        card = VirtualGoSignCard(state, profile=profile)
        holder: list[PluggedCard] = []

        def observe(apdu: bytes) -> Fault | None:
            holder[0].received.append(bytes(apdu))
            for fault in holder[0].faults:
                outcome = fault(apdu)
                if outcome is not None:
                    return outcome
            return None

        reader, port = SLOTS[slot]
        bridge = VpcdBridge(card, "127.0.0.1", port, fault=observe)
        result = PluggedCard(state, card, bridge, reader=reader)
        holder.append(result)
        plugged.append(result)
        result.insert()
        return result

    yield plug
    for card in plugged:
        card.bridge.remove()
    for reader, _ in SLOTS:
        wait_for_card(present=False, reader=reader)


@pytest.fixture
def pcscd_without_readers(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A second, private pcscd with no reader configured; yields the environment that
    points the PC/SC client library at it.

    pcscd always uses /run/pcscd, so it runs in a mount namespace of its own with a tmpfs
    there; its socket is reached through /proc/PID/root.
    """
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for the no-reader test")
    config = tmp_path / "reader.conf.d"
    config.mkdir()
    process = subprocess.Popen(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /run/pcscd && exec pcscd --foreground -c " + str(config),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    socket_path = Path(f"/proc/{process.pid}/root/run/pcscd/pcscd.comm")
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"private pcscd did not start: {err.decode(errors='replace')}")
        time.sleep(0.05)
    try:
        yield {"PCSCLITE_CSOCK_NAME": str(socket_path)}
    finally:
        process.terminate()
        process.communicate(timeout=10)  # waits, and closes its pipe


@pytest.fixture
def repository(tmp_path: Path, shared_ca: TestCA) -> Iterator[Callable[..., Slapd]]:
    """Start a slapd holding the test CA's entry (and any other entries given)."""
    started: list[Slapd] = []

    def start(
        *,
        crl: bytes | None = None,
        arl: bytes | None = None,
        extra: tuple[RepositoryEntry, ...] = (),
        allow_anonymous: bool = True,
        host: str = "127.0.0.1",
    ) -> Slapd:
        entry = RepositoryEntry(
            CA_CN,
            crl=crl if crl is not None else der(shared_ca.issue_crl()),
            arl=arl if arl is not None else der(shared_ca.issue_crl(crl_number=2)),
            ca_certificate=shared_ca.certificate_der(),
        )
        server = Slapd(
            tmp_path / f"slapd{len(started)}", [entry, *extra], allow_anonymous, host=host
        )
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def healthy(
    plug_card: Callable[..., PluggedCard],
    repository: Callable[..., Slapd],
    tmp_path: Path,
    shared_ca: TestCA,
) -> Callable[..., Setup]:
    """A healthy setup: card registered, CRL served, anchors and readers configured."""

    def build(
        *,
        register: bool = True,
        card_options: dict[str, Any] | None = None,
        server: Slapd | None = None,
        start_server: bool = True,
    ) -> Setup:
        card = plug_card(**(card_options or {}))
        if server is None and start_server:
            server = repository()
        anchors = tmp_path / "gosign-ca.pem"
        anchors.write_bytes(shared_ca.certificate.public_bytes(Encoding.PEM))
        service = SettingsService()
        if server is not None:
            service.set("ldap.url", server.url(RepositoryEntry(CA_CN)))
        service.set("ldap.connect_timeout", CONNECT_TIMEOUT)
        service.set("ldap.receive_timeout", RECEIVE_TIMEOUT)
        service.set("trust.anchor_files", [str(anchors)])
        service.set("readers.supported", ["Virtual PCD"])
        service.set("urls.allowed", ["https://www.e-bisc.go.jp"])
        if register:
            state = card.state
            service.register_card(
                RegisteredCard(state.card_number, state.valid_from, state.valid_to),
                min(today_in_japan(), state.valid_to),
            )
        return Setup(card, server, service)

    return build
