"""The operation check with real parts: the virtual card through real pcscd, and a real OpenLDAP
server (slapd) holding the test CA's entry with its CRL and ARL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.card.jobs import DirectCardAccess
from ndnclient.card.pcsc import PcscBackend
from ndnclient.card.status import today_in_japan
from ndnclient.diagnostics.checks import ALL_CHECKS
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckResult, CheckStatus
from ndnclient.diagnostics.runner import CheckRunner, with_prerequisites
from ndnclient.settings.cards import RegisteredCard
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.testca import TestCA
from tests.integration.ldap_server import RepositoryEntry, Slapd
from tests.integration.support import (
    CA_CN,
    ROOT,
    PluggedCard,
    Setup,
    der,
    run_cli,
    wait_for_card,
)

pytestmark = pytest.mark.integration

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
SKIPPED, NOT_APPLICABLE = CheckStatus.SKIPPED, CheckStatus.NOT_APPLICABLE


def run_checks(only: tuple[str, ...] = ()) -> dict[str, CheckResult]:
    """The runner in this process, on real pcscd and the settings in force."""
    settings, _ = SettingsService().load()
    access = DirectCardAccess(PcscBackend)
    try:
        checks = with_prerequisites(ALL_CHECKS, only) if only else list(ALL_CHECKS)
        context = CheckContext(settings, access, lang="ja")
        results = CheckRunner(checks, context).run()
    finally:
        access.close()
    return {result.code: result for result in results}


def statuses(results: dict[str, CheckResult]) -> dict[str, str]:
    return {code: result.status.value for code, result in results.items()}


# --- the healthy setup, and the done-when cases through the real command line --------------


def test_a_healthy_setup_passes(healthy: Callable[..., Setup]) -> None:
    healthy()
    result = run_cli("check", "--json")
    assert result.code == 0, result.stdout + result.stderr
    document = result.json()
    assert {r["code"]: r["status"] for r in document["results"]} == {
        f"G{n:02d}": "ok" for n in range(1, 14)
    }
    g04 = next(r for r in document["results"] if r["code"] == "G04")
    assert g04["facts"]["reason"] is None
    assert g04["facts"]["crl_entries"] == 0
    assert set(g04) >= {"code", "status", "title", "detail", "remedy", "facts", "elapsed_ms"}
    assert document["summary"]["failed"] is False
    assert document["readers"]
    assert document["card_number"]
    assert "PIN" not in str(document["settings"]).upper().replace("PINS", "")


def test_a_revoked_certificate_fails_g08(
    healthy: Callable[..., Setup],
    repository: Callable[..., Slapd],
    plug_card: Callable[..., PluggedCard],
    shared_ca: TestCA,
) -> None:
    setup = healthy(start_server=False)
    serial = setup.card.state.user_certificate().serial_number
    revoked_on = datetime.now(UTC) - timedelta(days=3)
    server = repository(crl=der(shared_ca.issue_crl([(serial, revoked_on)])))
    setup.set("ldap.url", server.url(RepositoryEntry(CA_CN)))
    result = run_cli("check", "--json")
    assert result.code == 1
    g08 = next(r for r in result.json()["results"] if r["code"] == "G08")
    assert (g08["status"], g08["outcome"]) == ("fail", "revoked")
    assert "失効" in g08["detail"]
    assert g08["facts"]["revoked_at"]


def test_a_closed_port_is_refused(healthy: Callable[..., Setup]) -> None:
    setup = healthy(start_server=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    setup.set("ldap.url", f"ldap://127.0.0.1:{port}/cn={CA_CN},o=ndnclient test,c=JP")
    result = run_cli("check", "--only", "G04", "--json")
    assert result.code == 1
    (g04,) = result.json()["results"]
    assert (g04["status"], g04["facts"]["reason"]) == ("fail", "refused")
    assert g04["facts"]["host"] == "127.0.0.1"
    assert g04["facts"]["port"] == port
    assert str(port) in g04["remedy"]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A socket that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(2)
    for connection in accepted:
        connection.close()
    server.close()


def test_a_silent_server_gives_no_response_within_the_answer_bound(
    healthy: Callable[..., Setup], silent_server: int
) -> None:
    setup = healthy(start_server=False)
    setup.set("ldap.receive_timeout", 5)  # the default answer bound
    setup.set("ldap.url", f"ldap://127.0.0.1:{silent_server}/cn=x,c=JP")
    started = time.monotonic()
    result = run_cli("check", "--only", "G04", "--json")
    took = time.monotonic() - started
    (g04,) = result.json()["results"]
    assert (g04["status"], g04["facts"]["reason"]) == ("fail", "no_response")
    assert g04["elapsed_ms"] < 5_000 + 1_000
    assert took < 5 + 3  # the whole program, start-up included


def test_multitrust_makes_g04_not_applicable_and_the_run_pass(
    healthy: Callable[..., Setup],
) -> None:
    setup = healthy(start_server=False)
    setup.set("ldap.url", "ldap://repository.ndnclient-test.invalid:389/o=x,c=JP")
    setup.set("verification_method", "multitrust")
    result = run_cli("check", "--json")
    assert result.code == 0, result.stdout
    by_code = {r["code"]: r for r in result.json()["results"]}
    assert by_code["G04"]["status"] == "not_applicable"
    assert "無視" in by_code["G04"]["detail"]
    assert by_code["G08"]["status"] == "not_applicable"  # moot too, not a problem


# --- G04, each reason -------------------------------------------------------------------------


def test_g04_dns(healthy: Callable[..., Setup]) -> None:
    setup = healthy(start_server=False)
    setup.set("ldap.url", "ldap://repository.ndnclient-test.invalid:389/o=x,c=JP")
    g04 = run_checks(("G04",))["G04"]
    assert (g04.status, g04.facts["reason"]) == (FAIL, "dns")
    assert "repository.ndnclient-test.invalid" in g04.remedy


def test_g04_no_crl_and_bad_crl(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    setup = healthy(start_server=False)
    empty = RepositoryEntry("No CRL CA")
    broken = RepositoryEntry("Broken CRL CA", crl=b"\x30\x03garbage", arl=b"\x01\x02")
    server = repository(extra=(empty, broken))
    setup.set("ldap.url", server.url(empty))
    g04 = run_checks(("G04",))["G04"]
    assert (g04.status, g04.facts["reason"]) == (FAIL, "no_crl")
    setup.set("ldap.url", server.url(RepositoryEntry("Nobody Home")))
    assert run_checks(("G04",))["G04"].facts["reason"] == "no_crl"
    setup.set("ldap.url", server.url(broken))
    g04 = run_checks(("G04",))["G04"]
    assert (g04.status, g04.facts["reason"]) == (FAIL, "bad_crl")


def test_g04_bind_refused(healthy: Callable[..., Setup], repository: Callable[..., Slapd]) -> None:
    setup = healthy(start_server=False)
    server = repository(allow_anonymous=False)
    setup.set("ldap.url", server.url(RepositoryEntry(CA_CN)))
    g04 = run_checks(("G04",))["G04"]
    assert (g04.status, g04.facts["reason"]) == (FAIL, "bind")


def test_g04_server_stopped_is_refused(healthy: Callable[..., Setup]) -> None:
    setup = healthy()
    assert setup.server is not None
    setup.server.stop()
    g04 = run_checks(("G04",))["G04"]
    assert (g04.status, g04.facts["reason"]) == (FAIL, "refused")


def test_g04_dropped_packets_time_out_in_a_network_namespace(tmp_path: Path) -> None:
    namespace = f"ndnclient-test-{os.getpid()}"
    made = subprocess.run(
        ["ip", "netns", "add", namespace], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        pytest.skip(f"no network namespace can be made here: {made.stderr.strip()}")
    try:
        for command in (
            ["ip", "link", "set", "lo", "up"],
            ["iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "389", "-j", "DROP"],
        ):
            done = subprocess.run(
                ["ip", "netns", "exec", namespace, *command],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                pytest.skip(f"cannot drop packets in the namespace: {done.stderr.strip()}")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        config = tmp_path / "ns-config"
        env["NDNCLIENT_CONFIG_DIR"] = str(config)
        service_env = {**env}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ndnclient",
                "settings",
                "set",
                "ldap.url",
                "ldap://127.0.0.1:389/o=x,c=JP",
            ],
            env=service_env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [sys.executable, "-m", "ndnclient", "settings", "set", "ldap.connect_timeout", "2"],
            env=service_env,
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        done = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                namespace,
                sys.executable,
                "-m",
                "ndnclient",
                "check",
                "--only",
                "G04",
                "--json",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        took = time.monotonic() - started
    finally:
        subprocess.run(["ip", "netns", "delete", namespace], check=False, capture_output=True)
    import json

    (g04,) = json.loads(done.stdout)["results"]
    assert (g04["status"], g04["facts"]["reason"]) == ("fail", "timeout"), done.stdout
    assert g04["elapsed_ms"] < 2_000 + 500
    assert took < 2 + 4


# --- G08: the CRL itself -----------------------------------------------------------------------


def test_an_expired_crl_warns(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd], shared_ca: TestCA
) -> None:
    setup = healthy(start_server=False)
    now = datetime.now(UTC)
    stale = shared_ca.issue_crl(
        this_update=now - timedelta(days=10), next_update=now - timedelta(days=1)
    )
    server = repository(crl=der(stale))
    setup.set("ldap.url", server.url(RepositoryEntry(CA_CN)))
    g08 = run_checks(("G08",))["G08"]
    assert (g08.status, g08.outcome) == (WARN, "stale")


def test_a_crl_signed_by_another_key_warns(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    setup = healthy(start_server=False)
    impostor = TestCA.generate(common_name=CA_CN)  # the same name, another key
    server = repository(crl=der(impostor.issue_crl()))
    setup.set("ldap.url", server.url(RepositoryEntry(CA_CN)))
    g08 = run_checks(("G08",))["G08"]
    assert (g08.status, g08.outcome) == (WARN, "bad_signature")


# --- G05, G06, G07, G09: the card and the settings ---------------------------------------------


@pytest.mark.parametrize(
    ("valid_from_days", "valid_to_days", "status", "outcome"),
    [
        (-800, -1, FAIL, "expired"),
        (5, 700, FAIL, "not_yet_valid"),
        (-700, 19, WARN, "expiring"),
        (-10, 700, OK, "ok"),
    ],
)
def test_g05_validity(
    healthy: Callable[..., Setup],
    valid_from_days: int,
    valid_to_days: int,
    status: CheckStatus,
    outcome: str,
) -> None:
    today = today_in_japan()
    healthy(
        card_options={
            "valid_from": today + timedelta(days=valid_from_days),
            "valid_to": today + timedelta(days=valid_to_days),
        },
        start_server=False,
        register=False,
    )
    g05 = run_checks(("G05",))["G05"]
    assert (g05.status, g05.outcome) == (status, outcome)
    if outcome == "expiring":
        assert g05.facts["days_left"] == 20
        assert "renewal" in g05.facts


def test_g06_registration(healthy: Callable[..., Setup]) -> None:
    setup = healthy(start_server=False, register=False)
    g06 = run_checks(("G06",))["G06"]
    assert (g06.status, g06.outcome) == (WARN, "none_registered")
    assert g06.facts["offer_register"] is True
    setup.service.register_card(
        RegisteredCard("1111222233334444", date(2025, 1, 1), date(2099, 12, 31)), today_in_japan()
    )
    g06 = run_checks(("G06",))["G06"]
    assert (g06.status, g06.outcome) == (WARN, "other_registered")
    assert "1111-2222-3333-4444" in g06.detail
    assert run_cli("card", "register").code == 0
    assert run_checks(("G06",))["G06"].status is OK


@pytest.mark.parametrize(
    ("options", "status", "outcome"),
    [
        ({"pin_tries_left": 2}, WARN, "low"),
        ({"pin_tries_left": 0}, FAIL, "blocked"),
        ({"pin_tries_left": 0, "unlock_tries_left": 0}, FAIL, "card_dead"),
    ],
)
def test_g07_reads_the_counter_only(
    healthy: Callable[..., Setup], options: dict[str, int], status: CheckStatus, outcome: str
) -> None:
    setup = healthy(card_options=options, start_server=False)
    g07 = run_checks(("G07",))["G07"]
    assert (g07.status, g07.outcome) == (status, outcome)
    assert setup.card.state.pin_tries_left == options["pin_tries_left"]  # nothing spent
    assert setup.card.pin_commands_received() == []


def test_g09_a_certificate_from_an_unknown_ca(
    healthy: Callable[..., Setup], plug_card: Callable[..., PluggedCard], tmp_path: Path
) -> None:
    stranger = TestCA.generate(common_name="Some Other CA")
    setup = healthy(start_server=False)
    setup.card.bridge.remove()
    wait_for_card(present=False)
    from ndnclient.simulator.state import create_state

    state = create_state(ca=stranger, kdf_iterations=1000)
    from ndnclient.simulator.card import VirtualGoSignCard
    from ndnclient.simulator.vpcd import VpcdBridge

    bridge = VpcdBridge(VirtualGoSignCard(state))
    with bridge:
        wait_for_card(present=True)
        g09 = run_checks(("G09",))["G09"]
    wait_for_card(present=False)
    assert (g09.status, g09.outcome) == (FAIL, "unknown_issuer")
    assert "Some Other CA" in g09.detail


def test_g09_trusts_the_ca_in_the_systems_bundle(
    healthy: Callable[..., Setup],
    shared_ca: TestCA,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """No trust.anchor_files: the card's CA in the bundle SSL_CERT_FILE names (Linux's
    stand-in for the Windows ROOT store) is the anchor, unless trust.use_system_store is off."""
    setup = healthy(start_server=False)
    bundle = tmp_path / "system-bundle.pem"
    bundle.write_bytes(b"-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n")
    with bundle.open("ab") as file:
        file.write(shared_ca.certificate.public_bytes(Encoding.PEM))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-folder"))
    setup.service.unset("trust.anchor_files")
    g09 = run_checks(("G09",))["G09"]
    assert (g09.status, g09.facts["anchor_source"]) == (OK, "system_file")
    assert g09.facts["system_store"]["skipped"] == 1  # the garbage entry, skipped
    setup.set("trust.use_system_store", False)
    g09 = run_checks(("G09",))["G09"]
    assert (g09.status, g09.outcome) == (FAIL, "no_anchors")


# --- no card, a My Number card -------------------------------------------------------------------


def test_no_card_skips_everything_that_needs_it(healthy: Callable[..., Setup]) -> None:
    setup = healthy(start_server=False)
    setup.card.pull()
    results = run_checks()
    assert results["G01"].status is OK
    # No card is a state, not a fault (issue 14): unchecked, with the sentence to insert one.
    assert (results["G02"].status, results["G02"].outcome) == (SKIPPED, "no_card")
    for code in ("G03", "G05", "G06", "G07", "G08", "G09"):
        assert results[code].status is SKIPPED, code
    assert "G02" in results["G03"].detail


def test_a_my_number_card(healthy: Callable[..., Setup]) -> None:
    healthy(card_options={"card_type": "mynumber"}, start_server=False, register=False)
    results = run_checks()
    assert (results["G02"].status, results["G03"].status) == (OK, FAIL)
    assert results["G03"].outcome == "mynumber"
    assert "マイナンバー" in results["G03"].detail
    assert all(results[code].status is SKIPPED for code in ("G05", "G06", "G07", "G09"))


def test_the_html_report(healthy: Callable[..., Setup], tmp_path: Path) -> None:
    healthy(card_options={"pin": b"Kq8zKq8z"})
    report = tmp_path / "report.html"
    result = run_cli("check", "--report", str(report))
    assert result.code == 0, result.stdout + result.stderr
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "G04" in page
    assert "<script" not in page
    assert "問題は見つかりませんでした" in page
    assert "Kq8zKq8z" not in page  # the card's PIN appears nowhere
    text = tmp_path / "report.txt"
    assert run_cli("check", "--report", str(text)).code == 0
    assert "ndnclient" in text.read_text(encoding="utf-8")
    assert "問題は見つかりませんでした" in text.read_text(encoding="utf-8")
