"""The GUI's side of the card thread: worker events and results arrive as Qt signals.

The `CardWorker` (core, no Qt) owns the card on its own thread. Its listener here only emits
a signal; Qt queues the signal to the GUI thread, where the slots run. No widget is touched
from the worker thread, and the GUI thread never touches the card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QObject, QTimer, Signal

from ndnclient.card.access import reader_filter_from_env
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.status import CardStatus, read_card_status
from ndnclient.card.worker import CardEvent, CardEventKind, CardWorker

log = logging.getLogger(__name__)

# Events after which what the home page shows may be out of date.
STATUS_CHANGING_EVENTS = frozenset(
    {
        CardEventKind.READERS_CHANGED,
        CardEventKind.CARD_INSERTED,
        CardEventKind.CARD_REMOVED,
        CardEventKind.SERVICE_LOST,
    }
)
WORKER_RESTART_DELAY_MS = 1000


class CardBridge(QObject):
    card_event = Signal(object)  # CardEvent
    status_read = Signal(object)  # CardStatus

    def __init__(
        self, backend_factory: Callable[[], ReaderBackend], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend_factory = backend_factory
        self._worker: CardWorker | None = None
        self.card_event.connect(self._on_card_event)

    def start(self) -> None:
        worker = CardWorker(self._backend_factory)
        worker.subscribe(self.card_event.emit)  # runs on the worker thread: emit only
        self._worker = worker
        worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def refresh_status(self) -> None:
        """Read the card status on the card thread; `status_read` follows."""
        if self._worker is None:
            return
        future = self._worker.submit(
            lambda backend: read_card_status(backend, reader_filter_from_env())
        )
        future.add_done_callback(self._emit_status)

    def _emit_status(self, future: Future[CardStatus]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            self.status_read.emit(future.result())
        else:
            log.error("reading the card status failed: %r", error)

    def _on_card_event(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.WORKER_FAILED:
            # The card thread died (logged there): start a fresh one with a fresh context.
            log.warning("card worker failed; restarting it")
            self._worker = None
            QTimer.singleShot(WORKER_RESTART_DELAY_MS, self.start)
        elif event.kind in STATUS_CHANGING_EVENTS:
            self.refresh_status()
