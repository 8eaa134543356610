"""G14, the signature test (乱数署名): the card signs a random challenge and the signature is
verified with the certificate's public key, as e-bidding systems do before they accept a card.

Unlike G01–G13 it needs the PIN, so it runs only when the user asks for it and has typed the
PIN for it (CheckContext.signature_pin): the one try it may spend is the user's explicit
submit. The PIN rules are the card layer's (PinGuard): nothing is sent when the PIN is blocked,
and the last try needs the user's explicit confirmation.
"""

from __future__ import annotations

import os
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardError,
    InvalidPinError,
    LastTryNotConfirmedError,
    PinBlockedError,
    PinFormatError,
    PinResultUnknownError,
)
from ndnclient.card.pin import PinGuard
from ndnclient.card.session import GoSignSession
from ndnclient.diagnostics.catalogue import ErrorSentence
from ndnclient.diagnostics.context import CheckContext, found
from ndnclient.diagnostics.model import Check, CheckStatus, Outcome
from ndnclient.pki.card_key import CardPrivateKey, CardSignatureError

CHALLENGE_BYTES = 32
SIGNATURE_TEST_BOUND = 20.0  # seconds: the PIN check and an RSA signature on the card


class _NotSent(Exception):
    """Stopped, or past the check's bound, before anything was sent."""


def g14_signature_test(context: CheckContext) -> Outcome:
    pin = context.signature_pin
    if pin is None:
        return Outcome(CheckStatus.SKIPPED, "not_asked")
    slot = found(context.card.slot, "the reader G02 chose")
    certificate = found(context.card.certificate, "the certificate G03 read")
    info = found(context.card.info, "the CARD_INFO G03 read")
    expected = context.signature_card or info.card_number
    challenge = os.urandom(CHALLENGE_BYTES)
    # The job may wait on the card thread; once the user pressed Stop, or the runner has
    # given up on this check, it must not send the PIN any more.
    give_up_at = time.monotonic() + SIGNATURE_TEST_BOUND - 1.0
    if context.deadline is not None:
        give_up_at = min(give_up_at, context.deadline)

    def sign(backend: ReaderBackend) -> bytes:
        if context.cancel.is_set() or time.monotonic() > give_up_at:
            raise _NotSent()
        connection = backend.connect(slot.name)
        try:
            # Only to the card the user was shown when typing the PIN (else the card G03
            # examined): its number is compared inside the transaction that sends the PIN,
            # so a card swapped in since receives nothing.
            guard = PinGuard(GoSignSession(connection), expected_card_number=expected)
            key = CardPrivateKey(
                guard,
                certificate,
                pin,
                last_try_confirmed=context.signature_last_try_confirmed,
                operation="sign_g14",
            )
            return key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())
        finally:
            connection.close(reset=True)  # no verified PIN is left behind for others

    facts = {"challenge_bytes": CHALLENGE_BYTES, "hash": "sha256"}
    try:
        signature = context.with_card(sign)
        # Checked once more here, as the system that asked for it would: with the public key
        # of the certificate G03 read, not with anything the signing code holds.
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise InvalidSignature("the certificate holds no RSA key")
        public.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except _NotSent:
        return Outcome(CheckStatus.SKIPPED, "not_sent", {}, facts)
    except InvalidPinError as error:
        return Outcome(CheckStatus.FAIL, "wrong_pin", {"tries": error.tries_left}, facts)
    except PinBlockedError as error:
        # Sent on the last try and wrong, or found locked before anything was sent.
        return Outcome(CheckStatus.FAIL, "locked_now" if error.sent else "blocked", {}, facts)
    except LastTryNotConfirmedError:
        return Outcome(CheckStatus.SKIPPED, "last_try", {}, facts)
    except PinFormatError:
        return Outcome(CheckStatus.FAIL, "pin_format", {}, facts)
    except PinResultUnknownError as error:
        tries = "?" if error.tries_left is None else error.tries_left
        return Outcome(CheckStatus.FAIL, "unknown", {"tries": tries}, facts)
    except (CardSignatureError, InvalidSignature):
        return Outcome(CheckStatus.FAIL, "bad_signature", {}, facts)
    except CardError as error:
        return Outcome(
            CheckStatus.FAIL,
            "card_error",
            # Resolved when shown: in the run's language or the one switched to later, and in
            # the window's form (what to press) when the window shows it.
            {"error": ErrorSentence(error)},
            {**facts, "error": type(error).__name__},
        )
    return Outcome(CheckStatus.OK, "ok", {"bits": len(signature) * 8}, facts)


SIGNATURE_TEST = Check(
    "G14",
    g14_signature_test,
    requires=("G03", "G07"),
    time_bound=lambda _context: SIGNATURE_TEST_BOUND,
)
