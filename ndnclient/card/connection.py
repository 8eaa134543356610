"""The abstractions everything above PC/SC talks to.

`SmartCardConnection` carries raw APDUs to one card; `ReaderBackend` lists readers, reports
card presence and opens connections. Exactly one implementation of each talks to pyscard
(`ndnclient.card.pcsc`); the virtual card provides an in-process pair
(`ndnclient.simulator.inprocess`), and unit tests use scripted fakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class SmartCardConnection(Protocol):
    """A connection to the card in one reader."""

    @property
    def reader_name(self) -> str: ...

    @property
    def atr(self) -> bytes: ...

    @property
    def protocol(self) -> str:
        """The active transmission protocol: "T=0" or "T=1"."""
        ...

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        """Send one command APDU; return the card's answer (data followed by SW1 SW2).

        Raises a `CardError` subclass (CardRemovedError, CardNotRespondingError,
        TransportError ...) when no answer came back. Never retries on its own.
        """
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the card for a sequence of commands, so no other program interleaves."""
        ...

    def close(self, *, reset: bool = False) -> None:
        """Release the card; `reset=True` ends the card session (clears a verified PIN)."""
        ...


@dataclass(frozen=True)
class ReaderSlot:
    """What the smart-card service reports about one reader."""

    name: str
    card_present: bool
    atr: bytes = b""
    mute: bool = False


ReaderSnapshot = Mapping[str, ReaderSlot]


class ReaderBackend(Protocol):
    """Readers, card presence and connections, as one smart-card service provides them."""

    def list_readers(self) -> list[str]:
        """The names of the connected readers ([] when none). NoServiceError without a service."""
        ...

    def snapshot(self) -> ReaderSnapshot:
        """The current state of every reader, without waiting."""
        ...

    def wait_for_change(self, previous: ReaderSnapshot, timeout: float) -> ReaderSnapshot:
        """Block until a reader or card changes from `previous`, `timeout` passes, or
        `cancel_wait` is called; return the state then. Only the owning thread calls this."""
        ...

    def cancel_wait(self) -> None:
        """Wake a `wait_for_change` in progress (safe from any thread)."""
        ...

    def connect(self, reader: str) -> SmartCardConnection:
        """Open a shared connection to the card in `reader`."""
        ...

    def close(self) -> None:
        """Release the backend's resources (the PC/SC context)."""
        ...
