"""The card operations both front ends run, so the command line and the window behave alike:
a PIN-guarded session on the chosen card, reading the counters, and one PIN command with the
counters read again afterwards.

Each takes the reader filter (NDNCLIENT_READER) and the user's `CardChoice`; none picks one of
several cards on its own (ndnclient.card.choice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ndnclient.card.access import (
    expected_number,
    open_chosen_session,
    recovering_guard,
    survey_and_choose,
)
from ndnclient.card.choice import NO_CHOICE, CardChoice
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import CardError
from ndnclient.card.info import CardInfo
from ndnclient.card.pin import ExpectedNumber, PinGuard, SecretBuffer
from ndnclient.card.session import GoSignSession, PinCounter
from ndnclient.card.status import CardStatus


@dataclass(frozen=True)
class GuardedCard:
    """A session on the chosen card, its PinGuard, and the card as it was seen when chosen."""

    session: GoSignSession
    guard: PinGuard
    card: CardStatus


@contextmanager
def pin_guarded_session(
    backend: ReaderBackend,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
) -> Iterator[GuardedCard]:
    """The chosen card's session and its PinGuard, for one PIN command. The guard checks,
    inside the command's transaction, that the card is still the card chosen here. The card
    is reset on close, so no verified PIN is left behind for other programs."""
    chosen = open_chosen_session(backend, name_filter, choice)
    try:
        guard = recovering_guard(backend, chosen.session, expected_number(chosen.card.info))
        yield GuardedCard(chosen.session, guard, chosen.card)
    finally:
        chosen.session.connection.close(reset=True)


@dataclass(frozen=True)
class Counters:
    """The PIN's and the unlock code's tries left (None where they could not be read), and
    the card they belong to: its reader and CARD_INFO, read in the same transaction."""

    pin: PinCounter | None
    unlock: PinCounter | None
    reader: str | None = None
    info: CardInfo | None = None

    @property
    def card_dead(self) -> bool:
        # Ten wrong unlock codes: the card refuses every PIN command for good.
        return self.unlock is not None and self.unlock.blocked

    @property
    def card_number(self) -> str | None:
        return self.info.card_number if self.info is not None else None


UNKNOWN_COUNTERS = Counters(None, None)


def counters_of(session: GoSignSession) -> Counters:
    """The counters and the card's identity, in one transaction (status-only VERIFYs: they
    consume nothing)."""
    with session.connection.transaction():
        # Select again: another program may have selected another application meanwhile.
        session.select_application()
        try:
            info: CardInfo | None = session.read_card_info()
        except CardError:
            info = None  # a GoSign card with an unreadable CARD_INFO still has its counters
        return Counters(
            session.pin_counter("pin"),
            session.pin_counter("unlock"),
            session.connection.reader_name,
            info,
        )


def read_counters(
    backend: ReaderBackend,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
) -> Counters:
    """The chosen card's tries left, and which card that is."""
    session = open_chosen_session(backend, name_filter, choice).session
    try:
        return counters_of(session)
    finally:
        session.connection.close()


@dataclass(frozen=True)
class PinOutcome:
    """What one PIN command brings back: the card layer's error (None on success) and the
    counters read right afterwards on the same connection."""

    error: CardError | None
    counters: Counters


def run_pin_operation(
    backend: ReaderBackend,
    operation: Callable[[PinGuard], PinCounter],
    secrets: Sequence[SecretBuffer],
    *,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
    expected_card_number: ExpectedNumber | None = None,
) -> PinOutcome:
    """Run one guarded PIN command on the chosen card, read the counters again, and end the
    card session so that no verified PIN is left behind. `expected_card_number` is the card
    the user saw when the tries were shown (its number, or UNREADABLE): any other card in its
    place receives nothing. The secrets are wiped whatever happens."""
    try:
        chosen = open_chosen_session(backend, name_filter, choice)
        session = chosen.session
        try:
            error: CardError | None = None
            try:
                expected = expected_card_number
                if expected is None:  # the caller showed nothing: the card as chosen here
                    expected = expected_number(chosen.card.info)
                operation(recovering_guard(backend, session, expected))
            except CardError as caught:
                error = caught
            try:
                counters = counters_of(session)
            except CardError:
                counters = UNKNOWN_COUNTERS  # the card is gone: a status read follows
        finally:
            session.connection.close(reset=True)
    finally:
        for secret in secrets:
            secret.wipe()
    return PinOutcome(error, counters)


def read_chosen_card(
    backend: ReaderBackend,
    name_filter: str | None = None,
    choice: CardChoice = NO_CHOICE,
) -> CardStatus:
    """The chosen card (or the only one), read in full as `card status` reads it. Raises what
    keeps it from being used (several cards and no choice, a My Number card, a card that does
    not answer, a certificate that is not X.509 ...)."""
    card = survey_and_choose(backend, name_filter, choice)
    if card.problem is not None:
        raise card.problem
    return card
