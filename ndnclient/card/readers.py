"""Which readers to look at: all of them, or those whose name contains NDNCLIENT_READER."""

from __future__ import annotations

import os

from ndnclient.card.connection import ReaderSlot, ReaderSnapshot
from ndnclient.card.errors import NoReaderError, ReaderNotMatchedError

READER_ENV = "NDNCLIENT_READER"


def reader_filter_from_env() -> str | None:
    """NDNCLIENT_READER picks the readers whose name contains it (README, "Commands")."""
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
