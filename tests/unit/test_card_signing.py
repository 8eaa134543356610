"""Signing with the IC card through cryptography's own builders: the card key, the PIN rules
on the way, and the signature test G14 (in-process virtual card; the real pcscd path is in
tests/integration/test_card_signing_over_pcsc.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs7

from ndnclient.card.errors import (
    InvalidPinError,
    LastTryNotConfirmedError,
    PinBlockedError,
    WrongDataError,
)
from ndnclient.card.jobs import DirectCardAccess
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.session import GoSignSession
from ndnclient.diagnostics.checks import ALL_CHECKS
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.runner import CheckRunner, with_prerequisites
from ndnclient.diagnostics.signature_test import SIGNATURE_TEST
from ndnclient.pki.card_key import CardPrivateKey, CardSignatureError, digest_info
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.inprocess import VirtualReaderBackend
from tests.fakes import h, script

PIN = SecretBuffer(b"1234")


class Card:
    """A session on an in-process virtual card, and what the card received."""

    def __init__(self, backend: VirtualReaderBackend) -> None:
        self.backend = backend
        self.received: list[bytes] = []
        original = backend._transmit

        def record(insertion: int, apdu: bytes | bytearray) -> bytes:
            self.received.append(bytes(apdu))
            return original(insertion, apdu)

        backend._transmit = record  # type: ignore[method-assign]
        self.connection = backend.connect(backend.list_readers()[0])
        self.session = GoSignSession(self.connection)
        self.certificate = x509.load_der_x509_certificate(self.session.read_user_certificate())

    def key(self, pin: SecretBuffer = PIN, **options: Any) -> CardPrivateKey:
        return CardPrivateKey(PinGuard(self.session), self.certificate, pin, **options)

    def signatures_asked(self) -> int:
        return sum(1 for apdu in self.received if apdu[1] == 0x2A)

    def pins_sent(self) -> int:
        return sum(1 for apdu in self.received if apdu[1] == 0x20 and len(apdu) > 4)

    @property
    def tries_left(self) -> int:
        return int(self.backend.card.state.pin_tries_left)


@pytest.fixture
def card(virtual_reader: Callable[..., VirtualReaderBackend]) -> Iterator[Callable[..., Card]]:
    made: list[Card] = []

    def make(**options: Any) -> Card:
        made.append(Card(virtual_reader(**options)))
        return made[-1]

    yield make
    for each in made:
        each.connection.close(reset=True)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing")
def test_cryptographys_pkcs7_builder_signs_with_the_card(
    card: Callable[..., Card], tmp_path: Path
) -> None:
    on_card = card()
    key = on_card.key()
    message = "投票日のお知らせ\r\n".encode()
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(message)
        .add_signer(on_card.certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    )
    assert key.signatures_made == 1
    assert on_card.signatures_asked() == 1
    assert on_card.pins_sent() == 1
    # OpenSSL verifies the signature against the message (the chain is another test's).
    (tmp_path / "message").write_bytes(message)
    (tmp_path / "signature.der").write_bytes(signed)
    files = {name: str(tmp_path / name) for name in ("signature.der", "message", "out")}
    verified = subprocess.run(
        [
            *("openssl", "smime", "-verify", "-binary", "-noverify", "-inform", "DER"),
            *("-in", files["signature.der"], "-content", files["message"], "-out", files["out"]),
        ],
        capture_output=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert (tmp_path / "out").read_bytes() == message


def test_a_raw_signature_verifies_and_prehashed_digests_work(card: Callable[..., Card]) -> None:
    on_card = card()
    key, public = on_card.key(), on_card.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    for algorithm in (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()):
        signature = key.sign(b"challenge", padding.PKCS1v15(), algorithm)
        public.verify(signature, b"challenge", padding.PKCS1v15(), algorithm)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"challenge")
    prehashed = key.sign(digest.finalize(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    public.verify(prehashed, b"challenge", padding.PKCS1v15(), hashes.SHA256())


def test_a_wrong_pin_spends_one_try_and_signs_nothing(card: Callable[..., Card]) -> None:
    on_card = card()
    with pytest.raises(InvalidPinError) as caught:
        on_card.key(SecretBuffer(b"9999")).sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    assert caught.value.tries_left == 9
    assert on_card.tries_left == 9
    assert on_card.pins_sent() == 1
    assert on_card.signatures_asked() == 0


def test_a_blocked_pin_sends_nothing(card: Callable[..., Card]) -> None:
    on_card = card(pin_tries_left=0)
    with pytest.raises(PinBlockedError):
        on_card.key().sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    assert on_card.pins_sent() == 0
    assert on_card.signatures_asked() == 0


def test_the_last_try_needs_a_yes(card: Callable[..., Card]) -> None:
    on_card = card(pin_tries_left=1)
    with pytest.raises(LastTryNotConfirmedError):
        on_card.key().sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    assert on_card.pins_sent() == 0
    on_card.key(last_try_confirmed=True).sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    assert on_card.pins_sent() == 1
    assert on_card.tries_left == 10


def test_what_the_card_cannot_do_is_refused_before_anything_is_sent(
    card: Callable[..., Card],
) -> None:
    on_card = card()
    key = on_card.key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    with pytest.raises(ValueError, match="PKCS#1"):
        key.sign(b"x", pss, hashes.SHA256())
    with pytest.raises(ValueError, match="SHA-256"):
        key.sign(b"x", padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 (refused: the point)
    with pytest.raises(ValueError, match="DigestInfo"):
        key.sign(b"x", padding.PKCS1v15(), utils.NoDigestInfo())
    with pytest.raises(TypeError):
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    assert on_card.received == [] or on_card.pins_sent() == 0


def test_a_faulty_signature_is_caught(
    card: Callable[..., Card], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_card = card()
    real = on_card.session.sign_digest_info

    def broken(info: bytes) -> bytes:
        signature = bytearray(real(info))
        signature[-1] ^= 0x01
        return bytes(signature)

    monkeypatch.setattr(on_card.session, "sign_digest_info", broken)
    with pytest.raises(CardSignatureError):
        on_card.key().sign(b"x", padding.PKCS1v15(), hashes.SHA256())


def test_the_digest_info_is_der() -> None:
    info = digest_info(b"abc", hashes.SHA256(), prehashed=False)
    assert info.hex().startswith("3031300d060960864801650304020105000420")
    assert len(info) == 51
    with pytest.raises(ValueError, match="length"):
        digest_info(b"short", hashes.SHA256(), prehashed=True)


def test_a_lost_answer_to_the_signature_is_not_a_pin_problem() -> None:
    # VERIFY goes through, then the card answers the signature with nonsense: the PIN's
    # verdict stands (no "result unknown"), and the signature error says what happened.
    conn = script(
        ("00 A4 04 0C 08 F0474F5349474E01", h("9000")),
        ("00 20 00 81", h("63CA")),
        ("00 20 00 81 04 31323334", h("9000")),
        (
            "00 2A 9E 9A 33" + digest_info(b"x", hashes.SHA256(), prehashed=False).hex() + " 00",
            h("6A80"),
        ),
    )
    guard = PinGuard(GoSignSession(conn))
    with pytest.raises(WrongDataError):  # the card's own answer, not "result unknown"
        guard.verify_and_sign(PIN, digest_info(b"x", hashes.SHA256(), prehashed=False))
    assert conn.done()


# --- G14 -------------------------------------------------------------------------------------


def run_g14(backend: VirtualReaderBackend, pin: SecretBuffer | None, **options: Any) -> Any:
    settings, _ = SettingsService().load()
    context = CheckContext(
        settings, DirectCardAccess(lambda: backend), signature_pin=pin, **options
    )
    checks = with_prerequisites((*ALL_CHECKS, SIGNATURE_TEST), ["G14"])
    results = {r.code: r for r in CheckRunner(checks, context).run()}
    return results["G14"]


def test_g14_signs_a_random_challenge(virtual_reader: Callable[..., VirtualReaderBackend]) -> None:
    result = run_g14(virtual_reader(), SecretBuffer(b"1234"))
    assert (result.status.value, result.outcome) == ("ok", "ok")
    assert "2048" in result.detail


def test_g14_with_a_wrong_pin_fails_and_spends_one_try(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    backend = virtual_reader()
    result = run_g14(backend, SecretBuffer(b"9999"))
    assert (result.status.value, result.outcome) == ("fail", "wrong_pin")
    assert backend.card.state.pin_tries_left == 9
    assert "9" in result.detail


def test_g14_without_a_pin_is_not_run(virtual_reader: Callable[..., VirtualReaderBackend]) -> None:
    backend = virtual_reader()
    result = run_g14(backend, None)
    assert (result.status.value, result.outcome) == ("skipped", "not_asked")
    assert backend.card.state.pin_tries_left == 10


def test_g14_on_the_last_try_needs_the_yes(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    backend = virtual_reader(pin_tries_left=1)
    assert run_g14(backend, SecretBuffer(b"1234")).outcome == "last_try"
    assert backend.card.state.pin_tries_left == 1
    confirmed = run_g14(backend, SecretBuffer(b"1234"), signature_last_try_confirmed=True)
    assert confirmed.outcome == "ok"
    assert backend.card.state.pin_tries_left == 10


def test_g14_is_not_in_the_everyday_check() -> None:
    assert "G14" not in {c.code for c in ALL_CHECKS}


def test_g14_refuses_a_signature_that_does_not_verify(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    """A card whose signature does not verify with its certificate's key fails G14 as the
    e-bidding system would refuse it."""
    backend = virtual_reader()
    original = backend.card.process_apdu

    def broken_signer(apdu: bytes | bytearray) -> bytes:
        answer = original(apdu)
        if apdu[1] == 0x2A and answer.endswith(b"\x90\x00"):
            return bytes([answer[0] ^ 0x01]) + answer[1:]  # one bit of the signature flipped
        return answer

    backend.card.process_apdu = broken_signer  # type: ignore[method-assign]
    result = run_g14(backend, SecretBuffer(b"1234"))
    assert (result.status.value, result.outcome) == ("fail", "bad_signature")


def test_a_lost_verify_answer_then_verified_still_signs_inside_the_transaction() -> None:
    from ndnclient.card.errors import TransportError

    info = digest_info(b"x", hashes.SHA256(), prehashed=False)
    conn = script(
        ("00 A4 04 0C 08 F0474F5349474E01", h("9000")),
        ("00 20 00 81", h("63CA")),
        ("00 20 00 81 04 31323334", TransportError("the answer was lost")),
        ("00 20 00 81", h("9000")),  # read again: verified now, so our VERIFY got through
        ("00 2A 9E 9A 33" + info.hex() + " 00", h("AB" * 256 + "9000")),
    )
    signature = PinGuard(GoSignSession(conn)).verify_and_sign(PIN, info)
    assert signature == bytes.fromhex("AB" * 256)
    assert conn.done()
    assert all(conn.sent_in_transaction)


def test_verified_only_on_a_fresh_connection_signs_nothing() -> None:
    from ndnclient.card.errors import PinResultUnknownError, TransportError
    from ndnclient.card.session import PinCounter

    info = digest_info(b"x", hashes.SHA256(), prehashed=False)
    conn = script(
        ("00 A4 04 0C 08 F0474F5349474E01", h("9000")),
        ("00 20 00 81", h("63CA")),
        ("00 20 00 81 04 31323334", TransportError("the answer was lost")),
        ("00 20 00 81", TransportError("and the reader with it")),
    )
    fresh = PinCounter("pin", 10, 10, verified=True)
    guard = PinGuard(GoSignSession(conn), read_counter_again=lambda which: fresh)
    with pytest.raises(PinResultUnknownError):
        guard.verify_and_sign(PIN, info)
    assert conn.done()  # no signature command went out on the old session
