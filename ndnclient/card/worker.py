"""The one thread that owns the card.

`CardWorker` keeps a reader backend on its own thread, watches readers and cards with the
service's change notification (no polling loop of its own), and runs submitted jobs one at
a time between waits. Listeners receive `CardEvent`s on the worker thread: they must only
hand the event on (a GUI emits a signal), never touch widgets or the card there.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from ndnclient.card.connection import ReaderBackend, ReaderSnapshot
from ndnclient.card.errors import CardError, NoServiceError

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[ReaderBackend], Any]

NUDGE_INTERVAL_S = 0.02


class CardEventKind(StrEnum):
    READERS_CHANGED = "readers_changed"  # also sent once at start, with the first snapshot
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    SERVICE_LOST = "service_lost"  # the smart-card service stopped; the worker keeps trying
    WORKER_FAILED = "worker_failed"  # the thread died: the owner should make a new worker


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    snapshot: ReaderSnapshot
    reader: str | None = None
    error: BaseException | None = None


Listener = Callable[[CardEvent], None]


class CardWorker:
    """Watches readers and cards and runs card jobs, all on one thread."""

    def __init__(
        self,
        backend_factory: Callable[[], ReaderBackend],
        *,
        wait_timeout: float = 1.0,
        service_retry_interval: float = 1.0,
    ) -> None:
        self._backend_factory = backend_factory
        self._backend: ReaderBackend | None = None
        self._wait_timeout = wait_timeout
        self._service_retry_interval = service_retry_interval
        self._jobs: queue.SimpleQueue[tuple[Job, Future[Any]]] = queue.SimpleQueue()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        # `submit` and the thread's final drain agree under this lock whether jobs are taken.
        self._accepting_lock = threading.Lock()
        self._accepting = True
        self._thread = threading.Thread(target=self._run, name="ndnclient-card", daemon=True)
        self._job_waiting = threading.Event()
        self._nudger = threading.Thread(
            target=self._nudge, name="ndnclient-card-nudge", daemon=True
        )
        self.snapshot: ReaderSnapshot = {}

    # --- the owner's side -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every event (on the worker thread); returns an unsubscribe."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def start(self) -> None:
        self._thread.start()
        self._nudger.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._job_waiting.set()  # let the nudger see the stop
        self._interrupt_wait()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._nudger.is_alive():
            self._nudger.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def submit(self, job: Callable[[ReaderBackend], T]) -> Future[T]:
        """Run `job(backend)` on the card thread, after whatever job came before."""
        future: Future[T] = Future()
        with self._accepting_lock:
            if not self._accepting or self._stopping.is_set():
                future.set_exception(NoServiceError("the card worker is not running"))
                return future
            self._jobs.put((job, future))
        self._interrupt_wait()
        self._job_waiting.set()
        return future

    def _interrupt_wait(self) -> None:
        self._wake.set()
        backend = self._backend
        if backend is not None:
            backend.cancel_wait()

    def _nudge(self) -> None:
        """Cancel the wait again until the card thread has taken the queued jobs.

        A cancel that reaches the smart-card service just before the wait begins is lost
        (pcsc-lite ignores a cancel when nothing waits), and the job would sit out the whole
        wait timeout (a second). Re-sending it every 20 ms while a job waits bounds that."""
        while not self._stopping.is_set():
            self._job_waiting.wait()
            self._job_waiting.clear()
            while not self._jobs.empty() and not self._stopping.is_set():
                self._interrupt_wait()
                self._stopping.wait(NUDGE_INTERVAL_S)

    # --- the worker thread ------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as error:
            log.exception("the card worker stopped unexpectedly")
            self._emit(CardEvent(CardEventKind.WORKER_FAILED, self.snapshot, error=error))
        finally:
            with self._accepting_lock:
                self._accepting = False
            self._stopping.set()  # the nudger ends with this thread
            self._job_waiting.set()
            self._fail_jobs(NoServiceError("the card worker has stopped"))
            if self._backend is not None:
                self._backend.close()

    def _loop(self) -> None:
        first = True
        service_lost = False
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                backend = self._backend or self._backend_factory()
                self._backend = backend
                self._run_jobs(backend)
                # A job that came after _run_jobs must not wait for the timeout: its cancel
                # may have arrived before the wait began.
                if first or service_lost or self._wake.is_set() or not self._jobs.empty():
                    current = backend.snapshot()
                else:
                    current = backend.wait_for_change(self.snapshot, self._wait_timeout)
            except NoServiceError as error:
                if not service_lost:
                    self._publish({}, initial=False)
                    self._emit(CardEvent(CardEventKind.SERVICE_LOST, {}, error=error))
                service_lost = True
                self._fail_jobs(error)
                self._wake.wait(self._service_retry_interval)
                continue
            self._publish(current, initial=first or service_lost)
            first = service_lost = False

    def _next_job(self) -> tuple[Job, Future[Any]] | None:
        """The next job nobody has cancelled, marked running; None when there is none."""
        while True:
            try:
                job, future = self._jobs.get_nowait()
            except queue.Empty:
                return None
            if future.set_running_or_notify_cancel():
                return job, future

    def _run_jobs(self, backend: ReaderBackend) -> None:
        while (item := self._next_job()) is not None:
            job, future = item
            try:
                future.set_result(job(backend))
            except NoServiceError as error:
                future.set_exception(error)
                raise
            except BaseException as error:
                future.set_exception(error)

    def _fail_jobs(self, error: CardError) -> None:
        while (item := self._next_job()) is not None:
            item[1].set_exception(error)

    def _publish(self, current: ReaderSnapshot, *, initial: bool) -> None:
        previous, self.snapshot = self.snapshot, current
        if initial or set(previous) != set(current):
            self._emit(CardEvent(CardEventKind.READERS_CHANGED, current))
        for name in dict.fromkeys([*previous, *current]):
            before, after = previous.get(name), current.get(name)
            had_card = before is not None and before.card_present
            has_card = after is not None and after.card_present
            # A different ATR in the same reader means the card was swapped between looks.
            swapped = (
                had_card
                and has_card
                and before is not None
                and after is not None
                and (before.atr != after.atr)
            )
            if had_card and (not has_card or swapped):
                self._emit(CardEvent(CardEventKind.CARD_REMOVED, current, reader=name))
            if has_card and (not had_card or swapped):
                self._emit(CardEvent(CardEventKind.CARD_INSERTED, current, reader=name))

    def _emit(self, event: CardEvent) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not kill the card thread
                log.exception("a card event listener failed")
