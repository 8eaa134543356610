"""PIN safety: the one gate every PIN, PIN change and unlock passes through.

The card locks after 10 wrong PINs and nobody can look a PIN up, so:
- the format is checked before anything is sent (a malformed PIN never costs a try);
- the counter is read with a status-only VERIFY right before the command;
- a blocked counter sends nothing; one try left sends only with an explicit confirmation;
- the command goes out exactly once: if its answer is lost, the result is reported as
  unknown and the counter read again, never the command repeated;
- PINs live in `SecretBuffer`s, wiped after use.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from types import TracebackType

from ndnclient.card.errors import (
    CardError,
    InvalidPinError,
    LastTryNotConfirmedError,
    PinBlockedError,
    PinFormatError,
    PinResultUnknownError,
    UnlockCodeBlockedError,
)
from ndnclient.card.session import CounterName, GoSignSession, PinCounter

LOW_TRIES_WARNING = 3


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
    """Verify, change and unlock with every safety rule applied, over one session."""

    def __init__(
        self, session: GoSignSession, *, read_counter_again: CounterReader | None = None
    ) -> None:
        self.session = session
        self._read_counter_again = read_counter_again

    def counter(self, which: CounterName = "pin") -> PinCounter:
        """The tries left, read now (consumes nothing)."""
        return self.session.pin_counter(which)

    def verify(self, pin: SecretBuffer, *, last_try_confirmed: bool = False) -> PinCounter:
        """Check the PIN once. Returns the counter afterwards (verified, full)."""
        self._require_format(pin, "pin")
        self._gate("pin", last_try_confirmed)
        self._send_once("pin", lambda: self.session.verify_pin(pin.value))
        return self._full_pin_counter(verified=True)

    def change(
        self, old_pin: SecretBuffer, new_pin: SecretBuffer, *, last_try_confirmed: bool = False
    ) -> PinCounter:
        """Change the PIN once (the old PIN is checked by the card with the same counter)."""
        self._require_format(old_pin, "pin")
        self._require_format(new_pin, "new_pin")
        self._gate("pin", last_try_confirmed)
        self._send_once("pin", lambda: self.session.change_pin(old_pin.value, new_pin.value))
        return self._full_pin_counter(verified=False)

    def unlock(
        self, unlock_code: SecretBuffer, new_pin: SecretBuffer, *, last_try_confirmed: bool = False
    ) -> PinCounter:
        """Unlock (ロック解除) with the helpdesk's code and set a new PIN, once.

        The confirmation here is about the unlock code's own counter: ten wrong codes make
        the card unusable for good.
        """
        self._require_format(unlock_code, "unlock")
        self._require_format(new_pin, "new_pin")
        self._gate("unlock", last_try_confirmed)
        self._send_once("unlock", lambda: self.session.unlock_pin(unlock_code.value, new_pin.value))
        return self._full_pin_counter(verified=False)

    # --- the rules --------------------------------------------------------------------------

    def _require_format(self, secret: SecretBuffer, which: str) -> None:
        profile = self.session.profile
        valid = (
            profile.is_valid_unlock_code(secret.value)
            if which == "unlock"
            else profile.is_valid_pin(secret.value)
        )
        if not valid:
            raise PinFormatError(f"{which} has the wrong format; nothing was sent", which=which)

    def _gate(self, which: CounterName, last_try_confirmed: bool) -> None:
        counter = self.session.pin_counter(which)
        risk = assess(counter)
        if risk is PinRisk.BLOCKED:
            raise UnlockCodeBlockedError() if which == "unlock" else PinBlockedError()
        if risk is PinRisk.LAST_TRY and not last_try_confirmed:
            raise LastTryNotConfirmedError(which=which)

    def _send_once(self, which: CounterName, send: Callable[[], None]) -> None:
        try:
            send()
        except (InvalidPinError, PinBlockedError, PinFormatError):
            raise  # the card answered, and the answer is clear
        except CardError as lost:
            # No clear answer came back. The card may or may not have counted the try; only
            # its counter knows. Read it, and never send the command again.
            raise PinResultUnknownError(
                tries_left=self._counter_after_loss(which), cause=type(lost).__name__, which=which
            ) from lost

    def _counter_after_loss(self, which: CounterName) -> int | None:
        try:
            return self.session.pin_counter(which).tries_left
        except CardError:
            pass
        if self._read_counter_again is None:
            return None
        try:
            return self._read_counter_again(which).tries_left
        except CardError:
            return None

    def _full_pin_counter(self, *, verified: bool) -> PinCounter:
        # A right PIN (or unlock code) resets the PIN counter to its maximum
        # (card-profile.md), so no extra command is needed to know it.
        max_tries = self.session.profile.pin_max_tries
        return PinCounter("pin", max_tries, max_tries, verified=verified)
