"""The card layer and the command line through real pcscd + vpcd to the virtual card."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from smartcard import scard

from ndnclient.card.access import open_gosign_session
from ndnclient.card.errors import CardRemovedError, InvalidPinError, PinResultUnknownError
from ndnclient.card.pcsc import PcscBackend
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.status import read_card_status
from ndnclient.card.worker import CardEvent, CardEventKind, CardWorker
from ndnclient.simulator.vpcd import Fault
from tests.integration.support import READER, PluggedCard, run_cli, wait_for_card

Plug = Callable[..., PluggedCard]
pytestmark = pytest.mark.integration

HOLDER = "電子 花子"
NUMBER = "9392000012345678"


def verify(pin: str, *extra: str) -> Any:
    return run_cli("pin", "verify", "--pin-stdin", "--json", *extra, stdin=pin + "\n")


@pytest.fixture
def backend() -> Iterator[PcscBackend]:
    pcsc = PcscBackend()
    yield pcsc
    pcsc.close()


# --- status and certificate ------------------------------------------------------------------


def test_card_status_json(plug_card: Plug) -> None:
    plug_card(
        card_number=NUMBER, holder=HOLDER, valid_from=date(2026, 4, 1), valid_to=date(2028, 3, 31)
    )
    result = run_cli("card", "status", "--json")
    assert result.code == 0, result.stderr
    status = result.json()
    assert status["reader"] == READER
    assert status["card_type"] == "gosign"
    assert status["card_number"] == NUMBER
    assert status["card_number_display"] == "9392-0000-1234-5678"
    assert status["holder"] == HOLDER
    assert (status["valid_from"], status["valid_to"]) == ("2026-04-01", "2028-03-31")
    assert status["pin_tries_left"] == 10
    assert status["unlock_tries_left"] == 10
    assert status["error"] is None
    assert "CN=" in status["certificate"]["subject"]


def test_card_status_text_is_japanese(plug_card: Plug) -> None:
    plug_card(holder=HOLDER)
    result = run_cli("card", "status")
    assert result.code == 0, result.stderr
    assert "GoSign ICカード" in result.stdout
    assert HOLDER in result.stdout
    assert "PINの残り回数" in result.stdout


def test_card_cert_pem_is_the_cards_certificate(plug_card: Plug) -> None:
    card = plug_card()
    result = run_cli("card", "cert", "--pem")
    assert result.code == 0, result.stderr
    certificate = x509.load_pem_x509_certificate(result.stdout.encode())
    assert certificate.public_bytes(Encoding.DER) == card.state.user_certificate_der
    ca = run_cli("card", "cert", "--ca", "--json")
    assert ca.code == 0
    assert "ndnclient Test GoSign CA" in ca.json()["subject"]


# --- PIN counter semantics -------------------------------------------------------------------


def test_three_wrong_pins_then_the_right_one(plug_card: Plug) -> None:
    card = plug_card()
    for expected_left in (9, 8, 7):
        result = verify("0000")
        assert result.code == 1
        assert result.json()["pin_tries_left"] == expected_left
        assert f"残り{expected_left}回" in result.stderr
    assert card.state.pin_tries_left == 7
    status = run_cli("card", "status", "--json").json()
    assert status["pin_tries_left"] == 7
    right = verify("1234")
    assert right.code == 0, right.stderr
    assert right.json()["pin_tries_left"] == 10
    assert card.state.pin_tries_left == 10
    # Every attempt was shown the count before entry (stderr), read with a status VERIFY.
    assert "PINの残り回数: 7回" in right.stderr


def test_ten_wrong_pins_block_and_then_nothing_reaches_the_card(plug_card: Plug) -> None:
    card = plug_card(pin_tries_left=2)  # the eight before are the same path, shown above
    low = verify("0000")
    assert low.code == 1
    assert low.json()["pin_tries_left"] == 1
    assert "注意" in low.stderr  # the low-count warning

    sent_before = len(card.pin_commands_received())
    unconfirmed = verify("0000")
    assert unconfirmed.code == 1
    assert unconfirmed.json()["error"]["kind"] == "LastTryNotConfirmedError"
    assert len(card.pin_commands_received()) == sent_before  # nothing was sent

    last = verify("0000", "--i-understand-last-try")
    assert last.code == 1
    assert last.json()["error"]["kind"] == "PinBlockedError"
    assert card.state.pin_tries_left == 0

    sent_before = len(card.pin_commands_received())
    for command in (["verify"], ["change"]):
        blocked = run_cli(
            "pin", *command, "--pin-stdin", "--i-understand-last-try", stdin="1234\n5678\n"
        )
        assert blocked.code == 1
        assert "ロック解除" in blocked.stderr
        assert "G07" in blocked.stderr
    assert card.pin_commands_received()[sent_before:] == []
    assert run_cli("card", "status", "--json").json()["pin_tries_left"] == 0


def test_unlock_with_the_helpdesk_code(plug_card: Plug) -> None:
    card = plug_card(pin_tries_left=0)
    wrong = run_cli("pin", "unlock", "--pin-stdin", "--json", stdin="87654321\n4321\n")
    assert wrong.code == 1
    assert wrong.json()["unlock_tries_left"] == 9
    assert card.state.unlock_tries_left == 9
    assert card.state.pin_tries_left == 0
    right = run_cli("pin", "unlock", "--pin-stdin", stdin="12345678\nNew4321\n")
    assert right.code == 0, right.stderr
    assert "ロックを解除" in right.stdout
    assert (card.state.pin_tries_left, card.state.unlock_tries_left) == (10, 10)
    assert verify("New4321").code == 0
    assert verify("1234").code == 1


def test_pin_change(plug_card: Plug) -> None:
    card = plug_card()
    bad_new = run_cli("pin", "change", "--pin-stdin", stdin="1234\nab\n")
    assert bad_new.code == 1
    assert not card.pin_commands_received()
    changed = run_cli("pin", "change", "--pin-stdin", stdin="1234\nZx9Zx9\n")
    assert changed.code == 0, changed.stderr
    assert verify("1234").code == 1
    assert verify("Zx9Zx9").code == 0


def test_no_pin_in_any_output(plug_card: Plug) -> None:
    # PINs that no card data, timestamp or status word can contain by chance.
    plug_card(pin=b"Rt5xRt5x")
    result = run_cli(
        "-vv", "--traffic", "pin", "change", "--pin-stdin", stdin="Rt5xRt5x\nQw3zQw3z\n"
    )
    assert result.code == 0, result.stderr
    assert "TRAFFIC" in result.stderr
    assert "masked" in result.stderr
    for secret in ("Rt5xRt5x", "Qw3zQw3z"):
        encoded = secret.encode().hex(" ").upper()
        assert encoded not in result.stderr
        assert encoded not in result.stdout
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_in_process_counter_over_pcsc(plug_card: Plug, backend: PcscBackend) -> None:
    card = plug_card()
    session = open_gosign_session(backend)
    guard = PinGuard(session)
    for _ in range(3):
        with pytest.raises(InvalidPinError):
            guard.verify(SecretBuffer(b"9999"))
    assert guard.counter().tries_left == 7
    assert guard.verify(SecretBuffer(b"1234")).tries_left == 10
    assert card.state.pin_tries_left == 10
    session.connection.close(reset=True)


def test_signature_through_pcsc_verifies_with_the_certificate(
    plug_card: Plug, backend: PcscBackend
) -> None:
    card = plug_card()
    session = open_gosign_session(backend)
    PinGuard(session).verify(SecretBuffer(b"1234"))
    digest = hashes.Hash(hashes.SHA256())
    digest.update("電子入札".encode())
    prefix = bytes.fromhex("3031300d060960864801650304020105000420")
    signature = session.sign_digest_info(prefix + digest.finalize())
    session.connection.close(reset=True)
    public = card.state.user_certificate().public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, "電子入札".encode(), padding.PKCS1v15(), hashes.SHA256())


# --- transport variants ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t0", "extended"), [(False, True), (True, True), (False, False), (True, False)]
)
def test_status_with_each_transport(
    plug_card: Plug, backend: PcscBackend, t0: bool, extended: bool
) -> None:
    card = plug_card(t0=t0, extended_length=extended)
    status = read_card_status(backend)
    assert status.problem is None, status.problem
    assert status.info is not None
    assert status.info.card_number == card.state.card_number
    assert status.pin is not None
    assert status.pin.tries_left == 10


# --- the card pulled, held, missing; no reader; no service -----------------------------------


def test_card_pulled_during_a_read(plug_card: Plug, backend: PcscBackend) -> None:
    card = plug_card()
    reads = []

    def pull_on_second_cert_read(apdu: bytes) -> Fault | None:
        if apdu[1] == 0xB0 and apdu[2:4] == b"\x00\x04":
            reads.append(apdu)
            return Fault.PULL_BEFORE
        return None

    card.faults.append(pull_on_second_cert_read)
    status = read_card_status(backend)
    assert reads, "the fault never fired"
    assert isinstance(status.problem, CardRemovedError), status.problem
    wait_for_card(present=False)
    card.faults.clear()
    card.insert()
    assert read_card_status(backend).problem is None  # a stale handle does not linger


def test_card_pulled_during_verify_is_reported_unknown_and_not_resent(
    plug_card: Plug,
) -> None:
    card = plug_card()
    card.faults.append(lambda apdu: Fault.PULL_AFTER if apdu[1] == 0x20 and len(apdu) > 4 else None)
    result = verify("0000")
    assert result.code == 1
    assert result.json()["error"]["kind"] == "PinResultUnknownError"
    assert "送り直していません" in result.stderr
    assert len(card.pin_commands_received()) == 1
    assert card.state.pin_tries_left == 9  # the card counted it before the answer was lost
    card.faults.clear()
    wait_for_card(present=False)
    card.insert()
    assert run_cli("card", "status", "--json").json()["pin_tries_left"] == 9


def test_in_process_lost_answer_reads_the_counter_again(
    plug_card: Plug, backend: PcscBackend
) -> None:
    card = plug_card()
    card.faults.append(lambda apdu: Fault.PULL_AFTER if apdu[1] == 0x20 and len(apdu) > 4 else None)
    session = open_gosign_session(backend)

    def reinsert_and_read(which: Any) -> Any:
        card.faults.clear()
        wait_for_card(present=False)
        card.insert()
        fresh = open_gosign_session(backend)
        try:
            return fresh.pin_counter(which)
        finally:
            fresh.connection.close()

    with pytest.raises(PinResultUnknownError) as caught:
        PinGuard(session, read_counter_again=reinsert_and_read).verify(SecretBuffer(b"0000"))
    assert caught.value.tries_left == 9
    assert len(card.pin_commands_received()) == 1


def test_another_program_holding_the_card(plug_card: Plug) -> None:
    card = plug_card()
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    hresult, hcard, _ = scard.SCardConnect(
        context,
        READER,
        scard.SCARD_SHARE_EXCLUSIVE,
        scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
    )
    assert hresult == scard.SCARD_S_SUCCESS
    try:
        result = run_cli("card", "status", "--json")
        assert result.code == 1
        assert result.json()["error"]["kind"] == "CardInUseError"
        assert result.json()["card_type"] == "unknown"  # not identified, not "foreign"
        assert "別のプログラム" in result.stderr
        assert "G02" in result.stderr
        pin = run_cli("pin", "verify", "--pin-stdin", "--json", stdin="1234\n")
        assert pin.code == 1
        assert pin.json()["error"]["kind"] == "CardInUseError"
        assert card.pin_commands_received() == []
    finally:
        scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(context)
    assert run_cli("card", "status", "--json").code == 0


def test_no_card(pcscd: None) -> None:
    result = run_cli("card", "status", "--json")
    assert result.code == 1
    assert result.json()["card_type"] == "none"
    assert result.json()["error"]["kind"] == "NoCardError"
    assert "カードが入っていません" in result.stderr


def test_my_number_card(plug_card: Plug) -> None:
    plug_card(card_type="mynumber")
    result = run_cli("card", "status", "--json")
    assert result.code == 1
    assert result.json()["card_type"] == "mynumber"
    assert "マイナンバーカード" in result.stderr
    pin = verify("1234")
    assert pin.code == 1
    assert pin.json()["error"]["kind"] == "MyNumberCardError"


def test_no_reader(pcscd_without_readers: dict[str, str]) -> None:
    result = run_cli("card", "status", "--json", env=pcscd_without_readers)
    assert result.code == 1
    document = result.json()
    assert (document["readers"], document["card_type"]) == ([], "none")
    assert document["error"]["kind"] == "NoReaderError"
    assert "カードリーダーが見つかりません" in result.stderr


def test_no_service(tmp_path: Any) -> None:
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd-here.comm")}
    result = run_cli("card", "status", "--json", env=env)
    assert result.code == 1
    assert result.json()["error"]["kind"] == "NoServiceError"
    assert "サービス" in result.stderr
    assert "G01" in result.stderr
    pin = run_cli("pin", "verify", "--pin-stdin", stdin="1234\n", env=env)
    assert pin.code == 1
    assert "G01" in pin.stderr


def test_reader_filter_that_matches_nothing(plug_card: Plug) -> None:
    plug_card()
    result = run_cli("card", "status", "--json", env={"NDNCLIENT_READER": "Nonexistent"})
    assert result.code == 1
    assert result.json()["error"]["kind"] == "ReaderNotMatchedError"


# --- monitoring ---------------------------------------------------------------------------


def test_worker_reports_insertion_and_removal(plug_card: Plug) -> None:
    events: list[CardEvent] = []
    changed = threading.Condition()

    def listen(event: CardEvent) -> None:
        with changed:
            events.append(event)
            changed.notify_all()

    def wait_for(kind: CardEventKind, timeout: float = 3.0) -> CardEvent:
        with changed:
            assert changed.wait_for(lambda: any(e.kind is kind for e in events), timeout), (
                f"no {kind} in {[e.kind for e in events]}"
            )
            event = next(e for e in events if e.kind is kind)
            events.clear()
            return event

    worker = CardWorker(PcscBackend)
    worker.subscribe(listen)
    worker.start()
    try:
        assert wait_for(CardEventKind.READERS_CHANGED).snapshot[READER].card_present is False
        card = plug_card()
        assert wait_for(CardEventKind.CARD_INSERTED).reader == READER
        status = worker.submit(read_card_status).result(timeout=10)
        assert status.info is not None
        assert status.info.card_number == card.state.card_number
        card.bridge.remove()
        assert wait_for(CardEventKind.CARD_REMOVED).reader == READER
    finally:
        worker.stop()
    assert not worker.alive
