"""Finding the card: which reader, which card, and a session on it."""

from __future__ import annotations

from dataclasses import dataclass

from ndnclient.card.choice import NO_CHOICE, CardChoice, choose_card
from ndnclient.card.connection import ReaderBackend, ReaderSlot
from ndnclient.card.errors import (
    CardNotRespondingError,
    NoCardError,
    NotGoSignCardError,
)
from ndnclient.card.info import CardInfo
from ndnclient.card.pin import UNREADABLE, ExpectedNumber, PinGuard
from ndnclient.card.session import CardType, CounterName, GoSignSession, PinCounter, ProfileChoice
from ndnclient.card.status import CardStatus, survey_cards


@dataclass(frozen=True)
class ChosenSession:
    """A session on the chosen card, and the card as it was seen when it was chosen (its
    reader, number and holder: what a PIN command names before it sends)."""

    session: GoSignSession
    card: CardStatus

    @property
    def card_number(self) -> str | None:
        return self.card.info.card_number if self.card.info is not None else None


def survey_and_choose(
    backend: ReaderBackend,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
    *,
    full: bool = True,
    profile: ProfileChoice = None,
) -> CardStatus:
    """The inserted card the user chose, or the only one that may be a GoSign card, as
    `survey_cards` read it. No card at all raises what the survey found (no reader, no card
    ...); several candidates and no choice, CardChoiceNeededError; a choice that fits no
    card, ChosenCardNotFoundError."""
    survey = survey_cards(backend, name_filter, full=full, profile=profile)
    if not survey.cards:
        raise survey.primary().problem or NoCardError("no card was found")
    return choose_card(survey.cards, choice, name_filter)


def open_chosen_session(
    backend: ReaderBackend,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
    profile: ProfileChoice = None,
) -> ChosenSession:
    """A session with the GoSign application selected on the card `survey_and_choose`
    picks. A card that cannot be used raises its own error (a My Number card, a card held
    by another program ...)."""
    card = survey_and_choose(backend, name_filter, choice, full=False, profile=profile)
    if card.card_type is not CardType.GOSIGN:
        raise card.problem or NotGoSignCardError("the card has no GoSign application")
    # A GoSign card whose CARD_INFO is unreadable still takes PIN commands; it just cannot
    # be told apart from another card by its number.
    if card.reader is None:  # every card of a survey sits in a reader
        raise NoCardError("the chosen card has no reader")
    slot = ReaderSlot(name=card.reader, card_present=True)
    return ChosenSession(open_session_on(backend, slot, profile), card)


def open_gosign_session(
    backend: ReaderBackend,
    name_filter: str | None = None,
    profile: ProfileChoice = None,
    *,
    choice: CardChoice = NO_CHOICE,
) -> GoSignSession:
    """`open_chosen_session`, for callers that need only the session."""
    return open_chosen_session(backend, name_filter, choice, profile).session


def open_session_on(
    backend: ReaderBackend, slot: ReaderSlot, profile: ProfileChoice = None
) -> GoSignSession:
    """Connect to the card in `slot` and select the GoSign application."""
    if slot.mute:
        raise CardNotRespondingError(f"the card in {slot.name} does not answer", reader=slot.name)
    connection = backend.connect(slot.name)
    session = GoSignSession(connection, profile)
    try:
        session.select_application()
    except BaseException:
        connection.close()
        raise
    return session


def counter_on_same_card(
    backend: ReaderBackend, reader: str, card_number: str | None, which: CounterName
) -> PinCounter:
    """After a lost answer: the counter, read on a new connection to the same reader, and
    only if the card there is the same card."""
    if card_number is None:
        raise NoCardError("the card's number was not known, so no other card can be told apart")
    slot = backend.snapshot().get(reader)
    if slot is None or not slot.card_present:
        raise NoCardError(f"no card in {reader}", reader=reader)
    session = open_session_on(backend, slot)
    try:
        if session.read_card_info().card_number != card_number:
            raise NoCardError(f"another card is in {reader}", reader=reader)
        return session.pin_counter(which)
    finally:
        session.connection.close()


def recovering_guard(
    backend: ReaderBackend, session: GoSignSession, card_number: ExpectedNumber | None
) -> PinGuard:
    """A PinGuard for the card numbered `card_number` (UNREADABLE when its CARD_INFO could not
    be read): before each PIN command it checks, inside the command's transaction, that the
    card is still that card; when an answer is lost, it reads the count again on a fresh
    connection to the same card (told apart by its number) instead of guessing."""
    reader = session.connection.reader_name
    known = card_number if isinstance(card_number, str) else None
    return PinGuard(
        session,
        expected_card_number=card_number,
        read_counter_again=lambda which: counter_on_same_card(backend, reader, known, which),
    )


def expected_number(info: CardInfo | None) -> ExpectedNumber:
    """What a PIN command must find in the reader: the number the user was shown, or
    UNREADABLE for a card shown without one."""
    return info.card_number if info is not None else UNREADABLE
