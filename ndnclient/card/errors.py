"""The card layer's one exception hierarchy.

Every error carries a `message_key` into the message catalogue (resources/messages) and the
parameters the sentence needs; the CLI's main and the GUI's error handler alone turn them
into user text. Where the operation check has a code for the same situation, `check_code`
names it, so that the helpdesk hears the same code from every screen.

No exception here ever carries a PIN, an unlock code or the data of a command.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from ndnclient.errors import UserFacingError


class CardError(UserFacingError):
    """Base of every error the card layer raises."""

    message_key = "card.error"


# --- The smart-card service, readers and the card's presence -------------------------------


class NoServiceError(CardError):
    """The PC/SC service (pcscd, or Windows' Smart Card service) is not running."""

    # Windows stops its Smart Card service when the last reader is unplugged, so there the
    # likeliest cause is a missing reader; its sentence says so.
    message_key = "card.no_service_windows" if sys.platform == "win32" else "card.no_service"
    check_code = "G01"


class NoReaderError(CardError):
    """No card reader is connected (or none matches NDNCLIENT_READER)."""

    message_key = "card.no_reader"
    check_code = "G01"


class ReaderNotMatchedError(NoReaderError):
    """Readers are connected, but none has a name containing NDNCLIENT_READER."""

    message_key = "card.reader_not_matched"


class NoCardError(CardError):
    """The reader holds no card."""

    message_key = "card.no_card"
    check_code = "G02"


class CardRemovedError(CardError):
    """The card was pulled out (or reset by someone else) during a command."""

    message_key = "card.removed"
    check_code = "G02"


class CardInUseError(CardError):
    """Another program holds the card exclusively (a sharing violation)."""

    message_key = "card.in_use"
    check_code = "G02"


class CardNotRespondingError(CardError):
    """The card does not answer: it is mute, inserted the wrong way, or broken."""

    message_key = "card.not_responding"
    check_code = "G02"


class TransportError(CardError):
    """Any other failure of the smart-card service while talking to the card."""

    message_key = "card.transport"
    check_code = "G02"

    def __init__(self, message: str, *, pcsc_code: int | None = None, **params: Any) -> None:
        super().__init__(
            message, pcsc_code=None if pcsc_code is None else f"0x{pcsc_code:08X}", **params
        )
        self.pcsc_code = pcsc_code


class CardChoiceNeededError(CardError):
    """Several cards that may be GoSign cards are inserted and none was chosen (or the choice
    fits more than one): a PIN command sends nothing until the user names one. `cards` holds
    the candidates (CardStatus objects), for listing."""

    message_key = "card.choice_needed"

    def __init__(self, cards: Sequence[Any], listing: str) -> None:
        super().__init__(f"{len(cards)} cards could be meant", count=len(cards), cards=listing)
        self.cards = tuple(cards)


class ChosenCardNotFoundError(CardError):
    """The card the user chose (by number or reader) is not among the inserted cards."""

    message_key = "card.chosen_not_found"
    check_code = "G02"

    def __init__(
        self,
        choice: str,
        listing: str,
        cards: Sequence[Any] = (),
        *,
        reader_filter: str | None = None,
    ) -> None:
        super().__init__(
            f"no inserted card matches {choice}",
            choice=choice,
            cards=listing,
            reader_filter=reader_filter or "",
        )
        self.cards = tuple(cards)
        # Only the readers NDNCLIENT_READER leaves were looked at: the sentence says so.
        self.which = "filtered" if reader_filter else None


class CardSwappedError(CardError):
    """The card in the reader is not the card the user saw and chose: it was swapped after
    its tries were read. Nothing was sent."""

    message_key = "card.swapped"
    check_code = "G02"

    def __init__(self, *, reader: str, expected: str | None, found: str) -> None:
        super().__init__(
            f"the card in {reader} is {found}, not {expected or 'the unread card'}",
            reader=reader,
            expected=expected or "",
            found=found,
        )
        # The card the user saw had no readable number: its sentence cannot name it.
        self.which = "unread" if expected is None else None


# --- What the card answered -----------------------------------------------------------------


class MalformedResponseError(CardError):
    """The card's answer does not have the shape the profile gives it."""

    message_key = "card.malformed"
    check_code = "G03"


class CardCertificateError(MalformedResponseError):
    """The certificate on the card (or its CA's) cannot be read: damaged, not X.509, or in
    a form this program does not handle. What else was read from the card still stands."""

    message_key = "card.bad_certificate"


class ApduError(CardError):
    """The card answered a command with an unexpected status word."""

    message_key = "card.apdu"

    def __init__(self, sw: int, *, ins: int, what: str = "", meaning: str = "") -> None:
        # `meaning` is the status word's name (apdu.describe_sw), for logs: this module is the
        # card layer's lowest and imports nothing of it.
        super().__init__(
            f"{what or f'INS {ins:02X}'} failed: SW {sw:04X}"
            + (f" ({meaning})" if meaning else ""),
            sw=f"{sw:04X}",
            ins=f"{ins:02X}",
        )
        self.sw = sw
        self.ins = ins

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF


class NotFoundOnCardError(ApduError):
    """6A82: the application or file is not on the card."""

    message_key = "card.not_found"


class SecurityStatusNotSatisfiedError(ApduError):
    """6982: the command needs the PIN to be verified in this card session."""

    message_key = "card.security_status"


class WrongDataError(ApduError):
    """6A80: the card rejected the command's data (e.g. a new PIN breaking the format)."""

    message_key = "card.wrong_data"


# --- Which card this is ---------------------------------------------------------------------


class NotGoSignCardError(CardError):
    """The card in the reader has no GoSign application."""

    message_key = "card.not_gosign"
    check_code = "G03"


class MyNumberCardError(NotGoSignCardError):
    """The card is a My Number card (JPKI application present): not supported here."""

    message_key = "card.mynumber"


# --- PIN and unlock code --------------------------------------------------------------------


class PinError(CardError):
    """Base of the PIN and unlock-code errors."""

    message_key = "pin.error"


class PinFormatError(PinError):
    """The PIN or code breaks the format and no try was spent: either the client refused to
    send it (`which` is "pin", "new_pin" or "unlock"), or the card refused its length
    ("rejected_length") or the new PIN ("new_pin")."""

    message_key = "pin.format"

    def __init__(self, message: str, *, which: str = "pin") -> None:
        super().__init__(message, which=which)
        self.which = which


class InvalidPinError(PinError):
    """The card rejected the PIN (or unlock code); `tries_left` tries remain."""

    message_key = "pin.wrong"

    def __init__(self, tries_left: int, *, which: str = "pin") -> None:
        super().__init__(f"wrong {which}: {tries_left} tries left", tries_left=tries_left)
        self.tries_left = tries_left
        self.which = which


class PinBlockedError(PinError):
    """The PIN is blocked (10 wrong tries); the helpdesk can unlock it.

    `sent` tells what became of what was typed: True when the card answered the command so
    (it was wrong and used the last try), False when the guard found the counter at zero
    and sent nothing (nothing was checked, so nothing is known to be wrong).
    """

    message_key = "pin.blocked"
    check_code = "G07"
    which = "pin"
    tries_left = 0

    def __init__(self, *, sent: bool = True) -> None:
        super().__init__(f"{self.which} blocked" + ("" if sent else "; nothing was sent"))
        self.sent = sent


class UnlockCodeBlockedError(PinBlockedError):
    """The unlock code is blocked too: the card is unusable for good; only a new card helps."""

    message_key = "pin.unlock_blocked"
    which = "unlock"


class LastTryNotConfirmedError(PinError):
    """Only one try is left and the user has not confirmed spending it; nothing was sent."""

    message_key = "pin.last_try_unconfirmed"

    def __init__(self, *, which: str = "pin") -> None:
        super().__init__(f"one {which} try left and no explicit confirmation", which=which)
        self.which = which


class PinResultUnknownError(PinError):
    """A PIN command got no clear answer (lost, or one the profile does not give); it was
    not repeated.

    `tries_left` is the counter read again afterwards, or None when it could not be read
    (the card is gone); the card's own counter is the only truth. `answered` is True when
    the card did answer, with something unexpected.
    """

    message_key = "pin.result_unknown"

    def __init__(
        self, *, tries_left: int | None, cause: str, which: str = "pin", answered: bool = False
    ) -> None:
        super().__init__(
            f"no clear answer to the {which} command ({cause}); tries left now: "
            f"{'unknown' if tries_left is None else tries_left}",
            tries_left="?" if tries_left is None else tries_left,
        )
        self.tries_left = tries_left
        self.which = which
        if answered:
            self.message_key = "pin.result_unexpected"


def blocked_error(which: str, *, sent: bool = True) -> PinBlockedError:
    """The error for a counter at zero: the PIN's, or the unlock code's (the card is dead)."""
    return UnlockCodeBlockedError(sent=sent) if which == "unlock" else PinBlockedError(sent=sent)
