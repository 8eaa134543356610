"""Finding the card: which reader, which card, and a session on it."""

from __future__ import annotations

import os

from ndnclient.card.connection import ReaderBackend, ReaderSlot, ReaderSnapshot
from ndnclient.card.errors import (
    CardError,
    CardNotRespondingError,
    NoCardError,
    NoReaderError,
    ReaderNotMatchedError,
)
from ndnclient.card.pin import PinGuard
from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile
from ndnclient.card.session import CounterName, GoSignSession, PinCounter

READER_ENV = "NDNCLIENT_READER"


def reader_filter_from_env() -> str | None:
    """NDNCLIENT_READER picks the reader whose name contains it (cli.md)."""
    return os.environ.get(READER_ENV) or None


def matching_readers(snapshot: ReaderSnapshot, name_filter: str | None) -> list[ReaderSlot]:
    """The readers to consider, in order; NoReaderError when there are none."""
    if not snapshot:
        raise NoReaderError("no card reader is connected")
    slots = list(snapshot.values())
    if name_filter:
        slots = [slot for slot in slots if name_filter.casefold() in slot.name.casefold()]
        if not slots:
            raise ReaderNotMatchedError(
                f"no reader name contains {name_filter!r}",
                reader_filter=name_filter,
                readers=", ".join(snapshot),
            )
    return slots


def open_gosign_session(
    backend: ReaderBackend,
    name_filter: str | None = None,
    profile: GoSignProfile = GOSIGN_PROFILE,
) -> GoSignSession:
    """A session with the GoSign application selected, on the first reader holding a GoSign
    card. When no reader holds one, the error for the first card found is raised (a My
    Number card, a card held by another program ...), or NoCardError."""
    slots = matching_readers(backend.snapshot(), name_filter)
    first_error: CardError | None = None
    for slot in slots:
        if not slot.card_present:
            continue
        try:
            return open_session_on(backend, slot, profile)
        except CardError as error:
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    names = ", ".join(slot.name for slot in slots)
    raise NoCardError(f"no card in {names}", reader=names)


def open_session_on(
    backend: ReaderBackend, slot: ReaderSlot, profile: GoSignProfile = GOSIGN_PROFILE
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


def recovering_guard(backend: ReaderBackend, session: GoSignSession) -> PinGuard:
    """A PinGuard that, when a PIN command's answer is lost, reads the count again on a
    fresh connection to the same card (told apart by its number) instead of guessing."""
    # Unreadable, the number only means no count is trusted from a fresh connection later.
    try:
        card_number: str | None = session.read_card_info().card_number
    except CardError:
        card_number = None
    reader = session.connection.reader_name
    return PinGuard(
        session,
        read_counter_again=lambda which: counter_on_same_card(backend, reader, card_number, which),
    )
