"""The virtual card in a virtual reader, in process: a `ReaderBackend` without PC/SC.

Behaves like one PC/SC reader: a connection survives only as long as the card it was opened
on stays in; closing a connection without reset leaves the card session (a verified PIN)
as it was, as SCARD_LEAVE_CARD does. `VirtualReaderSet` puts several such readers behind
one backend, for two cards at once (a renewal period) without PC/SC.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager

from ndnclient.card.connection import ReaderSlot, ReaderSnapshot
from ndnclient.card.errors import CardRemovedError, NoCardError, NoReaderError, TransportError
from ndnclient.simulator.card import VirtualGoSignCard

DEFAULT_READER_NAME = "ndnclient Virtual Reader 0"


class _ChangeWatcher:
    """What a virtual reader and a set of them share: `snapshot`, and `wait_for_change`
    woken by the test's hands (under `_condition`) or by `cancel_wait`."""

    def __init__(self, condition: threading.Condition | None) -> None:
        self._condition = condition or threading.Condition()
        self._cancelled = False

    def _snapshot_locked(self) -> dict[str, ReaderSlot]:
        raise NotImplementedError

    def snapshot(self) -> ReaderSnapshot:
        """The readers' state now."""
        with self._condition:
            return self._snapshot_locked()

    def wait_for_change(self, previous: ReaderSnapshot, timeout: float) -> ReaderSnapshot:
        """Block until the state differs from `previous`, `timeout` passes or `cancel_wait`."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                current = self._snapshot_locked()
                if current != dict(previous):
                    return current
                if self._cancelled:
                    self._cancelled = False
                    return current
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return current
                self._condition.wait(remaining)

    def cancel_wait(self) -> None:
        """Wake a `wait_for_change` in progress. A cancel that comes while no one waits is
        kept for the next wait, so a monitor that is between two waits cannot miss it."""
        with self._condition:
            self._cancelled = True
            self._condition.notify_all()


class VirtualReaderBackend(_ChangeWatcher):
    """One reader holding (or not) one `VirtualGoSignCard`. Implements `ReaderBackend`."""

    def __init__(
        self,
        card: VirtualGoSignCard,
        reader_name: str = DEFAULT_READER_NAME,
        *,
        inserted: bool = True,
        condition: threading.Condition | None = None,
    ) -> None:
        # The condition is shared by the readers of a VirtualReaderSet, so one wait sees a
        # change in any.
        super().__init__(condition)
        self.card = card
        self.reader_name = reader_name
        self._card_present = inserted
        # Counts insertions: a connection belongs to one insertion and dies with it.
        self._insertion = 0
        if inserted:
            card.power_on()

    # --- The test's hands -----------------------------------------------------------------

    def insert(self, card: VirtualGoSignCard | None = None) -> None:
        """Put the card in (the reader powers it: a new card session); with `card`, put that
        card in instead of the one that was in (a swap: pull the old one first)."""
        with self._condition:
            if self._card_present:
                return
            if card is not None:
                self.card = card
            self._card_present = True
            self._insertion += 1
            self.card.power_on()
            self._condition.notify_all()

    def remove(self) -> None:
        """Pull the card out: open connections fail with CardRemovedError from now on."""
        with self._condition:
            if not self._card_present:
                return
            self._card_present = False
            self._insertion += 1
            self.card.power_off()
            self._condition.notify_all()

    @property
    def card_present(self) -> bool:
        return self._card_present

    # --- ReaderBackend ----------------------------------------------------------------------

    def list_readers(self) -> list[str]:
        """The one reader's name."""
        return [self.reader_name]

    def _snapshot_locked(self) -> dict[str, ReaderSlot]:
        present = self._card_present
        return {
            self.reader_name: ReaderSlot(
                name=self.reader_name,
                card_present=present,
                atr=self.card.atr if present else b"",
            )
        }

    def connect(self, reader: str) -> VirtualCardConnection:
        """A connection to the card; NoCardError when the reader is empty."""
        if reader != self.reader_name:
            raise NoReaderError(f"no reader named {reader!r}", reader=reader)
        with self._condition:
            if not self._card_present:
                raise NoCardError(f"no card in {reader}", reader=reader)
            return VirtualCardConnection(self, self._insertion)

    def close(self) -> None:
        """Nothing to release; wakes a waiting monitor."""
        self.cancel_wait()

    # --- For VirtualCardConnection ----------------------------------------------------------

    def _transmit(self, insertion: int, apdu: bytes | bytearray) -> bytes:
        # Under the lock: remove() waits for a command in progress to finish, so the card
        # never processes a command half inserted; the next transmit sees the removal.
        with self._condition:
            if not self._card_present or insertion != self._insertion:
                raise CardRemovedError(f"the card was removed from {self.reader_name}")
            return self.card.process_apdu(apdu)

    def _reset(self, insertion: int) -> None:
        with self._condition:
            if self._card_present and insertion == self._insertion:
                self.card.reset()


class VirtualCardConnection:
    """A connection to the virtual card. Implements `SmartCardConnection`."""

    def __init__(self, backend: VirtualReaderBackend, insertion: int) -> None:
        self._backend = backend
        self._insertion = insertion
        self._closed = False

    @property
    def reader_name(self) -> str:
        return self._backend.reader_name

    @property
    def atr(self) -> bytes:
        return self._backend.card.atr

    @property
    def protocol(self) -> str:
        return "T=0" if self._backend.card.state.t0 else "T=1"

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        """The card's answer to `apdu`; CardRemovedError when the card left since connecting."""
        if self._closed:
            raise TransportError("the connection is closed")
        return self._backend._transmit(self._insertion, apdu)

    def transaction(self) -> AbstractContextManager[None]:
        """No other program shares this reader: nothing to hold."""
        return contextlib.nullcontext()

    def close(self, *, reset: bool = False) -> None:
        """Release the card; `reset=True` ends the card session."""
        if self._closed:
            return
        self._closed = True
        if reset:
            self._backend._reset(self._insertion)


class VirtualReaderSet(_ChangeWatcher):
    """Several virtual readers, each with its card, as one `ReaderBackend`: what a PC with a
    built-in reader and a USB reader shows. `readers[i]` are the test's hands for each."""

    def __init__(self, cards: Sequence[tuple[VirtualGoSignCard, str]]) -> None:
        names = [name for _, name in cards]
        if len(set(names)) != len(names):
            raise ValueError("every virtual reader needs a name of its own")
        super().__init__(None)
        self.readers = [
            VirtualReaderBackend(card, name, condition=self._condition) for card, name in cards
        ]

    def reader(self, name: str) -> VirtualReaderBackend:
        for reader in self.readers:
            if reader.reader_name == name:
                return reader
        raise NoReaderError(f"no reader named {name!r}", reader=name)

    def list_readers(self) -> list[str]:
        return [reader.reader_name for reader in self.readers]

    def _snapshot_locked(self) -> dict[str, ReaderSlot]:
        merged: dict[str, ReaderSlot] = {}
        for reader in self.readers:
            merged.update(reader._snapshot_locked())
        return merged

    def connect(self, reader: str) -> VirtualCardConnection:
        return self.reader(reader).connect(reader)

    def close(self) -> None:
        self.cancel_wait()
