"""The client against an independent implementation of docs/card-profile.md (not the project's
simulator), through real pcscd: the client must follow the profile, not one card's habits.

The independent card pads its files with FF, uses BER long forms and unknown tags in
CARD_INFO, and answers 6Cxx/61xx under T=0 (see independent_card.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.card.access import open_gosign_session
from ndnclient.card.errors import InvalidPinError, PinBlockedError
from ndnclient.card.pcsc import PcscBackend
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.status import read_card_status
from tests.integration.independent_card import IndependentCard, IndependentVpcdCard
from tests.integration.support import READER, run_cli, wait_for_card

pytestmark = pytest.mark.integration

TRANSPORTS = {
    "T=1 extended": {"t0": False, "extended_length": True},
    "T=0 short only": {"t0": True, "extended_length": False},
}


@pytest.fixture(params=list(TRANSPORTS))
def independent(request: pytest.FixtureRequest, pcscd: None) -> Iterator[IndependentCard]:
    card = IndependentCard(
        card_number="4000123412341234",
        holder="独立 検証",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        pin=b"2468",
        unlock_code=b"13572468",
        **TRANSPORTS[request.param],
    )
    with IndependentVpcdCard(card):
        wait_for_card(present=True)
        yield card
    wait_for_card(present=False)


def pin_commands_with_data(card: IndependentCard) -> list[bytes]:
    return [c for c in card.commands if c[1] in (0x20, 0x24, 0x2C) and len(c) > 4]


def test_status(independent: IndependentCard) -> None:
    result = run_cli("card", "status", "--json")
    assert result.code == 0, result.stderr
    status = result.json()
    assert status["reader"] == READER
    assert status["card_type"] == "gosign"
    assert status["card_number"] == "4000123412341234"
    assert status["holder"] == "独立 検証"
    assert (status["valid_from"], status["valid_to"]) == ("2026-01-01", "2027-12-31")
    assert (status["pin_tries_left"], status["unlock_tries_left"]) == (10, 10)


def test_certificates_are_exact_despite_file_padding(independent: IndependentCard) -> None:
    user = run_cli("card", "cert", "--pem")
    assert user.code == 0, user.stderr
    pem = x509.load_pem_x509_certificate(user.stdout.encode())
    assert pem.public_bytes(Encoding.DER) == independent.user_certificate_der
    ca = run_cli("card", "cert", "--pem", "--ca")
    ca_cert = x509.load_pem_x509_certificate(ca.stdout.encode())
    assert ca_cert.public_bytes(Encoding.DER) == independent.ca_certificate_der


def test_wrong_pins_then_right_then_block(independent: IndependentCard) -> None:
    for expected in (9, 8, 7):
        wrong = run_cli("pin", "verify", "--pin-stdin", "--json", stdin="0000\n")
        assert wrong.code == 1
        assert wrong.json()["pin_tries_left"] == expected
    assert independent.pin_tries_left == 7
    right = run_cli("pin", "verify", "--pin-stdin", stdin="2468\n")
    assert right.code == 0, right.stderr
    assert independent.pin_tries_left == 10

    backend = PcscBackend()
    try:
        guard = PinGuard(open_gosign_session(backend))
        for expected in range(9, 0, -1):
            with pytest.raises(InvalidPinError) as refused:
                guard.verify(SecretBuffer(b"0000"), last_try_confirmed=True)
            assert refused.value.tries_left == expected
        with pytest.raises(PinBlockedError):
            guard.verify(SecretBuffer(b"0000"), last_try_confirmed=True)
        assert independent.pin_tries_left == 0
        sent = len(pin_commands_with_data(independent))
        with pytest.raises(PinBlockedError):
            guard.verify(SecretBuffer(b"2468"), last_try_confirmed=True)
        assert len(pin_commands_with_data(independent)) == sent  # nothing reached the card
        guard.session.connection.close(reset=True)
    finally:
        backend.close()

    unlocked = run_cli("pin", "unlock", "--pin-stdin", stdin="13572468\nNewPin77\n")
    assert unlocked.code == 0, unlocked.stderr
    assert (independent.pin_tries_left, independent.unlock_tries_left) == (10, 10)
    changed = run_cli("pin", "change", "--pin-stdin", stdin="NewPin77\n9753\n")
    assert changed.code == 0, changed.stderr
    assert run_cli("pin", "verify", "--pin-stdin", stdin="9753\n").code == 0


def test_signature(independent: IndependentCard) -> None:
    backend = PcscBackend()
    try:
        status = read_card_status(backend)
        assert status.problem is None, status.problem
        session = open_gosign_session(backend)
        PinGuard(session).verify(SecretBuffer(b"2468"))
        digest = hashes.Hash(hashes.SHA256())
        digest.update(b"bid")
        prefix = bytes.fromhex("3031300d060960864801650304020105000420")
        signature = session.sign_digest_info(prefix + digest.finalize())
        session.connection.close(reset=True)
    finally:
        backend.close()
    public = x509.load_der_x509_certificate(independent.user_certificate_der).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, b"bid", padding.PKCS1v15(), hashes.SHA256())
