"""What the PIN gate tells the layers above, without knowing them: an event after every PIN
command it was asked to send (verify, change, unlock, a signature), and a question before
(may a PIN go to this card at all?).

PinGuard is the one gate every PIN passes (docs/architecture.md), so the lending ledger hooks
in here: the front ends (the command line's main, the window's application) install the
ledger's observer and admission; the card layer never imports the ledger.

An event carries no PIN, unlock code or signed data: the operation, its result, the tries
left afterwards, the card's number and, for a signature, the SHA-256 of what was signed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ndnclient.card.errors import (
    InvalidPinError,
    LastTryNotConfirmedError,
    PinBlockedError,
    PinError,
    PinResultUnknownError,
)
from ndnclient.errors import UserFacingError

log = logging.getLogger(__name__)

# The same words as the ledger's Operation and Result (ndnclient.ledger.entries).
PinOperation = Literal["pin_verify", "pin_change", "pin_unlock", "sign_g14", "sign_smime"]
SignOperation = Literal["sign_g14", "sign_smime"]
PinResult = Literal["ok", "wrong", "blocked", "not_sent", "error"]


@dataclass(frozen=True)
class PinEvent:
    operation: PinOperation
    card_number: str | None  # None: a card whose number could not be read
    result: PinResult
    tries_left: int | None  # of the counter the command used, afterwards; None: unknown
    data_sha256: str | None = None  # signatures: SHA-256 (hex) of the signed data


class PinNotAllowedError(PinError):
    """A rule above the card layer refused the PIN before anything was sent (the IT policy
    `ledger.require_lending`: the card is not lent out). The refusal's own sentence is the
    sentence: its key and parameters are taken over."""

    def __init__(self, refusal: UserFacingError) -> None:
        super().__init__(f"refused before sending: {refusal.message_key}", **refusal.params)
        self.message_key = refusal.message_key
        self.check_code = refusal.check_code


PinObserver = Callable[[PinEvent], None]
# Asked before anything is sent; raises a UserFacingError (with its sentence) to refuse.
PinAdmission = Callable[[str | None], None]

_lock = threading.Lock()
_observers: tuple[PinObserver, ...] = ()
_admissions: tuple[PinAdmission, ...] = ()


def install_pin_hooks(
    observer: PinObserver, admission: PinAdmission | None = None
) -> Callable[[], None]:
    """Install an observer (and an admission); returns the function that removes them."""
    global _observers, _admissions  # the one registry, copied on write
    with _lock:
        _observers = (*_observers, observer)
        if admission is not None:
            _admissions = (*_admissions, admission)

    def remove() -> None:
        global _observers, _admissions
        with _lock:
            _observers = tuple(o for o in _observers if o is not observer)
            _admissions = tuple(a for a in _admissions if a is not admission)

    return remove


def admit(card_number: str | None) -> None:
    """Ask every admission whether a PIN may go to this card. A refusal becomes
    PinNotAllowedError (a CardError, so every front end shows its sentence as it shows any
    card error). An admission that fails for another reason does not block the PIN: a
    broken ledger must not stop work with the card."""
    for admission in _admissions:
        try:
            admission(card_number)
        except UserFacingError as refusal:
            raise PinNotAllowedError(refusal) from refusal
        except Exception:
            log.exception("a PIN admission failed; the PIN is not held back by it")


def notify(event: PinEvent) -> None:
    """Tell every observer. Never raises: the card operation has happened already."""
    for observer in _observers:
        try:
            observer(event)
        except Exception:
            log.exception("a PIN observer failed")


def outcome_of(error: BaseException, *, sent: bool) -> tuple[PinResult, int | None]:
    """The result and the tries left afterwards, for a command that ended with `error`."""
    if not sent:
        if isinstance(error, PinBlockedError):
            return "not_sent", 0
        if isinstance(error, LastTryNotConfirmedError):
            return "not_sent", 1
        return "not_sent", None
    if isinstance(error, InvalidPinError):
        return "wrong", error.tries_left
    if isinstance(error, PinBlockedError):
        return "blocked", 0
    if isinstance(error, PinResultUnknownError):
        return "error", error.tries_left
    return "error", None
