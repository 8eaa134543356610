"""PIN safety: the one gate every PIN, PIN change and unlock passes through.

The card locks after 10 wrong PINs and nobody can look a PIN up, so:
- the format is checked before anything is sent (a malformed PIN never costs a try);
- the card is the card the user chose (its number, read inside the same transaction);
- the counter is read with a status-only VERIFY right before the command;
- a blocked counter sends nothing; one try left sends only with an explicit confirmation;
- the command goes out exactly once: if its answer is lost, the result is reported as
  unknown and the counter read again, never the command repeated;
- PINs live in `SecretBuffer`s, wiped after use.

And every command it is asked to send is told to the layers above (`pin_events`): an
admission first (the IT policy may refuse a card that is not lent out, before anything is
sent), and one event afterwards with the result, for the lending ledger's use record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum, StrEnum
from types import TracebackType
from typing import TypeVar

from ndnclient.card.errors import (
    ApduError,
    CardError,
    CardSwappedError,
    InvalidPinError,
    LastTryNotConfirmedError,
    MalformedResponseError,
    PinBlockedError,
    PinFormatError,
    PinResultUnknownError,
    UnlockCodeBlockedError,
    blocked_error,
)
from ndnclient.card.info import format_card_number
from ndnclient.card.pin_events import (
    PinEvent,
    PinOperation,
    SignOperation,
    admit,
    notify,
    outcome_of,
)
from ndnclient.card.session import CounterName, GoSignSession, PinCounter

T = TypeVar("T")

LOW_TRIES_WARNING = 3


class UnreadNumber(Enum):
    """The card the user saw had no readable number (its CARD_INFO could not be read)."""

    UNREADABLE = "unreadable"


UNREADABLE = UnreadNumber.UNREADABLE
# The card a PIN command is meant for: its number, or UNREADABLE for a card whose number could
# not be read (then any card whose number can be read is another card).
ExpectedNumber = str | UnreadNumber


class SecretBuffer:
    """A PIN or unlock code in a mutable buffer that is zeroed by `wipe` (or on `with` exit).

    Python strings cannot be wiped, so turn typed text into a SecretBuffer at once and drop
    the text; from then on only this buffer (and the one command built from it) holds it.
    """

    __slots__ = ("_buffer",)

    def __init__(self, value: bytes | bytearray) -> None:
        self._buffer = bytearray(value)

    @classmethod
    def from_text(cls, text: str) -> SecretBuffer:
        # UTF-8, not ASCII: a full-width digit must reach the format check and fail there.
        return cls(text.encode("utf-8"))

    @property
    def value(self) -> bytearray:
        return self._buffer

    def wipe(self) -> None:
        self._buffer[:] = bytes(len(self._buffer))
        self._buffer.clear()

    def __len__(self) -> int:
        return len(self._buffer)

    def __enter__(self) -> SecretBuffer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wipe()

    def __repr__(self) -> str:
        return f"SecretBuffer(<{len(self._buffer)} bytes>)"

    __str__ = __repr__

    def __reduce__(self) -> None:  # type: ignore[override]
        raise TypeError("a SecretBuffer cannot be pickled")


class PinRisk(StrEnum):
    """How careful the user must be before the next try."""

    NORMAL = "normal"
    LOW = "low"  # 3 or fewer tries left: warn
    LAST_TRY = "last_try"  # 1 try left: explicit confirmation required
    BLOCKED = "blocked"  # nothing is sent


def assess(counter: PinCounter) -> PinRisk:
    if counter.tries_left == 0:
        return PinRisk.BLOCKED
    if counter.tries_left == 1:
        return PinRisk.LAST_TRY
    if counter.tries_left <= LOW_TRIES_WARNING:
        return PinRisk.LOW
    return PinRisk.NORMAL


# Reads a counter on a fresh connection when the old one died with the lost answer.
CounterReader = Callable[[CounterName], PinCounter]


class PinGuard:
    """Verify, change and unlock with every safety rule applied, over one session.

    Each operation runs SELECT, the card-number check, the counter read, the gate and the one
    command inside a single card transaction, so no other program can select another
    application or spend tries in between, and no swapped card receives the command.
    """

    def __init__(
        self,
        session: GoSignSession,
        *,
        expected_card_number: ExpectedNumber | None = None,
        read_counter_again: CounterReader | None = None,
    ) -> None:
        self.session = session
        # The card the user saw and chose; checked inside each command's transaction, so a
        # card swapped in the reader since never receives the PIN meant for another.
        self.expected_card_number = expected_card_number
        self._read_counter_again = read_counter_again
        self._sent = False  # whether the current command went out (for its use record)

    def counter(self, which: CounterName = "pin") -> PinCounter:
        """The tries left, read now (consumes nothing)."""
        return self.session.pin_counter(which)

    def check(self, counter: PinCounter, *, last_try_confirmed: bool) -> None:
        """Raise when nothing may be sent against `counter`: a rule above refuses this card
        (PinNotAllowedError), it is blocked, or on its last try without an explicit
        confirmation. A blocked PIN whose unlock code is blocked too is reported as the dead
        card it is, not as "ask for an unlock code"."""
        admit(self._card_number())
        self._check_counter(counter, last_try_confirmed=last_try_confirmed)

    def _check_counter(self, counter: PinCounter, *, last_try_confirmed: bool) -> None:
        risk = assess(counter)
        if risk is PinRisk.BLOCKED:
            # sent=False: nothing goes out, so what was typed is not known to be wrong.
            if counter.which == "pin" and self.session.pin_counter("unlock").blocked:
                raise UnlockCodeBlockedError(sent=False)
            raise blocked_error(counter.which, sent=False)
        if risk is PinRisk.LAST_TRY and not last_try_confirmed:
            raise LastTryNotConfirmedError(which=counter.which)

    def verify(self, pin: SecretBuffer, *, last_try_confirmed: bool = False) -> PinCounter:
        """Check the PIN once. Returns the counter afterwards (verified, full)."""
        with SecretBuffer(pin.value) as own:  # our copy: the caller may wipe theirs any time
            self._require_format(own, "pin")
            with self._recorded("pin_verify"):
                self._guarded(
                    "pin",
                    last_try_confirmed,
                    lambda: self.session.verify_pin(own.value),
                    is_verify=True,
                    formats=((own, "pin"),),
                )
        return self._full_pin_counter(verified=True)

    def verify_and_sign(
        self,
        pin: SecretBuffer,
        digest_info: bytes,
        *,
        last_try_confirmed: bool = False,
        operation: SignOperation = "sign_smime",
        data_sha256: str | None = None,
    ) -> bytes:
        """Check the PIN once and, in the same card transaction, have the card sign
        `digest_info` (a DER DigestInfo). A wrong PIN signs nothing. `operation` and
        `data_sha256` (the SHA-256 of what is signed; by default of `digest_info`) go into
        the use record, never the data itself."""
        if data_sha256 is None:
            data_sha256 = hashlib.sha256(digest_info).hexdigest()
        with SecretBuffer(pin.value) as own:
            self._require_format(own, "pin")
            with self._recorded(operation, data_sha256=data_sha256):
                signature = self._guarded(
                    "pin",
                    last_try_confirmed,
                    lambda: self.session.verify_pin(own.value),
                    is_verify=True,
                    then=lambda: self.session.sign_digest_info(digest_info),
                    formats=((own, "pin"),),
                )
        if signature is None:  # `then` returns the signature whenever _guarded returns
            raise RuntimeError("no signature came back")
        return signature

    def change(
        self, old_pin: SecretBuffer, new_pin: SecretBuffer, *, last_try_confirmed: bool = False
    ) -> PinCounter:
        """Change the PIN once (the old PIN is checked by the card with the same counter)."""
        with SecretBuffer(old_pin.value) as old, SecretBuffer(new_pin.value) as new:
            self._require_format(old, "pin")
            self._require_format(new, "new_pin")
            with self._recorded("pin_change"):
                self._guarded(
                    "pin",
                    last_try_confirmed,
                    lambda: self.session.change_pin(old.value, new.value),
                    formats=((old, "pin"), (new, "new_pin")),
                )
        return self._full_pin_counter(verified=False)

    def unlock(
        self, unlock_code: SecretBuffer, new_pin: SecretBuffer, *, last_try_confirmed: bool = False
    ) -> PinCounter:
        """Unlock (ロック解除) with the helpdesk's code and set a new PIN, once.

        The confirmation here is about the unlock code's own counter: ten wrong codes make
        the card unusable for good.
        """
        with SecretBuffer(unlock_code.value) as code, SecretBuffer(new_pin.value) as new:
            self._require_format(code, "unlock")
            self._require_format(new, "new_pin")
            with self._recorded("pin_unlock"):
                self._guarded(
                    "unlock",
                    last_try_confirmed,
                    lambda: self.session.unlock_pin(code.value, new.value),
                    formats=((code, "unlock"), (new, "new_pin")),
                )
        return self._full_pin_counter(verified=False)

    # --- the use record -----------------------------------------------------------------------

    def _card_number(self) -> str | None:
        """The card this guard sends to, as far as it is known before anything is sent."""
        expected = self.expected_card_number
        return expected if isinstance(expected, str) else None

    @contextmanager
    def _recorded(
        self, operation: PinOperation, *, data_sha256: str | None = None
    ) -> Iterator[None]:
        """One event for one command, whatever becomes of it. (A malformed PIN, refused
        before the command starts, is a typo, not a use of the card: no event.)"""
        self._sent = False
        try:
            yield
        except BaseException as error:
            result, tries_left = outcome_of(error, sent=self._sent)
            notify(PinEvent(operation, self._card_number(), result, tries_left, data_sha256))
            raise
        tries = self.session.profile.pin_max_tries  # a right PIN or code resets the counter
        notify(PinEvent(operation, self._card_number(), "ok", tries, data_sha256))

    # --- the rules --------------------------------------------------------------------------

    def _require_expected_card(self) -> None:
        """Inside the transaction: the card is still the card the user chose."""
        expected = self.expected_card_number
        if expected is None:
            return
        reader = self.session.connection.reader_name
        if expected is UNREADABLE:
            try:
                found = self.session.read_card_info().card_number
            except (MalformedResponseError, ApduError):
                return  # still a card without a readable number, as the user saw
            raise CardSwappedError(reader=reader, expected=None, found=format_card_number(found))
        found = self.session.read_card_info().card_number
        if found != expected:
            raise CardSwappedError(
                reader=reader,
                expected=format_card_number(expected),
                found=format_card_number(found),
            )

    def _require_format(
        self, secret: SecretBuffer, which: str, *, identified: bool = False
    ) -> None:
        """The secret against the card's rule, before anything carrying it is sent. Which
        rule is the matched profile's: until the card is identified (several profiles in use),
        the check waits for `_guarded`, which makes it right after selecting the application."""
        if not identified and not self.session.profile_known:
            return
        profile = self.session.profile
        valid = (
            profile.is_valid_unlock_code(secret.value)
            if which == "unlock"
            else profile.is_valid_pin(secret.value)
        )
        if not valid:
            raise PinFormatError(f"{which} has the wrong format; nothing was sent", which=which)

    def _guarded(
        self,
        which: CounterName,
        last_try_confirmed: bool,
        send: Callable[[], None],
        *,
        is_verify: bool = False,
        then: Callable[[], T] | None = None,
        formats: Sequence[tuple[SecretBuffer, str]] = (),
    ) -> T | None:
        # Before the card is touched: a refusal (the card is not lent out) sends nothing.
        admit(self._card_number())
        with self.session.connection.transaction():
            # Always select: another program may have selected another application, whose
            # reference 81 is another PIN.
            self.session.select_application()
            for secret, kind in formats:  # now by the rule of the profile that answered
                self._require_format(secret, kind, identified=True)
            self._require_expected_card()
            before = self.session.pin_counter(which)
            self._check_counter(before, last_try_confirmed=last_try_confirmed)
            try:
                self._sent = True
                send()
            except (InvalidPinError, PinBlockedError, PinFormatError):
                raise  # the card answered, and the answer is clear
            except (Exception, KeyboardInterrupt) as error:
                # No clear answer: lost on the way, one the profile does not give, or Ctrl+C
                # with the command already out. The card may or may not have counted the
                # try; only its counter knows. Read it; never send the command again.
                lost = error
            else:
                # Still inside the transaction: what needs the verified PIN runs here.
                return then() if then is not None else None
            after = self._counter_or_none(lambda: self.session.pin_counter(which))
            verified_now = (
                is_verify and not before.verified and after is not None and after.verified
            )
            if verified_now:
                # Not verified before, verified now: our VERIFY got through. What needs the
                # PIN still runs inside the transaction, as promised.
                return then() if then is not None else None
        if after is None and self._read_counter_again is not None:
            # Outside our transaction, or the fresh connection would be refused while the
            # old handle still holds the card.
            reread = self._read_counter_again
            after = self._counter_or_none(lambda: reread(which))
            verified_elsewhere = (
                is_verify and not before.verified and after is not None and after.verified
            )
            # Verified on another connection, outside our transaction: a plain verify is done;
            # what needed the PIN (a signature) is not made there. The user tries again.
            if verified_elsewhere and then is None:
                return None
        raise PinResultUnknownError(
            tries_left=None if after is None else after.tries_left,
            cause=type(lost).__name__,
            which=which,
            answered=isinstance(lost, ApduError),
        ) from lost

    @staticmethod
    def _counter_or_none(read: Callable[[], PinCounter]) -> PinCounter | None:
        try:
            return read()
        except CardError:
            return None

    def _full_pin_counter(self, *, verified: bool) -> PinCounter:
        # A right PIN (or unlock code) resets the PIN counter to its maximum
        # (docs/card-profile.md), so no extra command is needed to know it.
        max_tries = self.session.profile.pin_max_tries
        return PinCounter("pin", max_tries, max_tries, verified=verified)
