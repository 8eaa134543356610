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
from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile
from ndnclient.card.session import GoSignSession

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
