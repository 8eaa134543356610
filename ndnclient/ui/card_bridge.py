"""The GUI's side of the card thread: worker events and results arrive as Qt signals.

The `CardWorker` (core, no Qt) owns the card on its own thread. Its listener here only emits
a signal; Qt queues the signal to the GUI thread, where the slots run. No widget is touched
from the worker thread, and the GUI thread never touches the card: pages hand their card
work to `run_job`, and the operation check's thread uses `blocking_access`.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from ndnclient.card.access import reader_filter_from_env
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import CardError, CardNotRespondingError, NoServiceError
from ndnclient.card.status import CardStatus, read_card_status
from ndnclient.card.worker import CardEvent, CardEventKind, CardWorker
from ndnclient.diagnostics.context import CardAccess
from ndnclient.ui.tasks import Deliverer, Failed

log = logging.getLogger(__name__)

T = TypeVar("T")

# Events after which what the pages show of the card may be out of date.
STATUS_CHANGING_EVENTS = frozenset(
    {
        CardEventKind.READERS_CHANGED,
        CardEventKind.CARD_INSERTED,
        CardEventKind.CARD_REMOVED,
        CardEventKind.SERVICE_LOST,
    }
)
WORKER_RESTART_DELAY_MS = 1000
# The longest the operation check's thread waits for the card thread to take its job.
BLOCKING_JOB_TIMEOUT_S = 30.0


class CardBridge(QObject):
    card_event = Signal(object)  # CardEvent
    status_read = Signal(object)  # CardStatus

    def __init__(
        self, backend_factory: Callable[[], ReaderBackend], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend_factory = backend_factory
        self._worker: CardWorker | None = None
        self.deliverer = Deliverer(self)
        self._stopped = False
        self.last_status: CardStatus | None = None
        self.card_event.connect(self._on_card_event)

    def start(self) -> None:
        if self._stopped:
            return  # a restart scheduled before stop() must not revive the card thread
        worker = CardWorker(self._backend_factory)
        worker.subscribe(self.card_event.emit)  # runs on the worker thread: emit only
        self._worker = worker
        worker.start()

    def stop(self) -> None:
        self._stopped = True
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def run_job(
        self,
        job: Callable[[ReaderBackend], T],
        on_done: Callable[[T], None],
        on_error: Failed | None = None,
        *,
        owner: QObject | None = None,
    ) -> Future[T] | None:
        """Run `job(backend)` on the card thread; the answer comes back on the GUI thread.
        Returns the job's future (None when there is no card thread), for clean-up that must
        happen even if the owner is gone by then."""
        if self._worker is None:
            if on_error is not None:
                on_error(NoServiceError("the card thread is not running"))
            return None
        future = self._worker.submit(job)
        self.deliverer.watch(future, on_done, on_error, owner)
        return future

    def blocking_access(self) -> CardAccess:
        """For threads other than the GUI's (the operation check): run a job on the card
        thread and wait for it, within a bound."""
        return _BlockingAccess(self)

    def refresh_status(self) -> None:
        """Read the card status on the card thread; `status_read` follows."""
        self.run_job(
            lambda backend: read_card_status(backend, reader_filter_from_env()),
            self._status_arrived,
            self._status_failed,
        )

    def _status_arrived(self, status: CardStatus) -> None:
        self.last_status = status
        self.status_read.emit(status)

    @staticmethod
    def _status_failed(error: BaseException) -> None:
        if isinstance(error, CardError):
            log.info("reading the card status failed: %s", error)
        else:
            log.error("reading the card status failed", exc_info=error)

    def _on_card_event(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.WORKER_FAILED:
            # The card thread died (logged there): start a fresh one with a fresh context.
            log.warning("card worker failed; restarting it")
            self._worker = None
            QTimer.singleShot(WORKER_RESTART_DELAY_MS, self.start)
        elif event.kind in STATUS_CHANGING_EVENTS:
            self.refresh_status()


class _BlockingAccess:
    """A `CardAccess` over the bridge's card thread, for the operation check's thread."""

    def __init__(self, bridge: CardBridge) -> None:
        self._bridge = bridge

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T:
        worker = self._bridge._worker
        if worker is None:
            raise NoServiceError("the card thread is not running")
        try:
            return worker.submit(job).result(timeout=BLOCKING_JOB_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            # The card thread is stuck in a call to the smart-card service; the check must
            # not wait for ever, and says the card does not answer (G02).
            raise CardNotRespondingError(
                f"the card thread did not answer within {BLOCKING_JOB_TIMEOUT_S} s"
            ) from None
