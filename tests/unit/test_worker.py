"""The card-owning worker thread, on the in-process virtual reader."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from ndnclient.card.connection import ReaderBackend, ReaderSnapshot
from ndnclient.card.errors import NoServiceError
from ndnclient.card.status import read_card_status
from ndnclient.card.worker import CardEvent, CardEventKind, CardWorker
from ndnclient.simulator.inprocess import VirtualReaderBackend


class Recorder:
    def __init__(self) -> None:
        self.events: list[CardEvent] = []
        self.changed = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait_for(self, kind: CardEventKind, count: int = 1, timeout: float = 3.0) -> None:
        with self.changed:
            ok = self.changed.wait_for(
                lambda: sum(e.kind is kind for e in self.events) >= count, timeout
            )
        assert ok, f"waited for {count} {kind}, got {[e.kind for e in self.events]}"


def test_events_and_jobs(virtual_reader: Callable[..., VirtualReaderBackend]) -> None:
    reader = virtual_reader()
    recorder = Recorder()
    worker = CardWorker(lambda: reader)
    worker.subscribe(recorder)
    worker.start()
    try:
        recorder.wait_for(CardEventKind.CARD_INSERTED)
        assert recorder.events[0].kind is CardEventKind.READERS_CHANGED
        status = worker.submit(read_card_status).result(timeout=5)
        assert status.info is not None
        assert worker.submit(lambda b: threading.current_thread().name).result(5) == (
            "ndnclient-card"
        )
        reader.remove()
        recorder.wait_for(CardEventKind.CARD_REMOVED)
        reader.insert()
        recorder.wait_for(CardEventKind.CARD_INSERTED, count=2)
        failing = worker.submit(lambda b: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(5)
        assert worker.alive  # a failing job does not kill the card thread
    finally:
        worker.stop()
    assert not worker.alive
    late = worker.submit(read_card_status)
    with pytest.raises(NoServiceError):  # a sentence for the user, not a bug
        late.result(1)


class FlakyService:
    """A backend whose service is down for the first `down` snapshots."""

    def __init__(self, inner: ReaderBackend, down: int) -> None:
        self.inner, self.down = inner, down

    def snapshot(self) -> ReaderSnapshot:
        if self.down > 0:
            self.down -= 1
            raise NoServiceError("service stopped")
        return self.inner.snapshot()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_service_lost_then_back(virtual_reader: Callable[..., VirtualReaderBackend]) -> None:
    flaky = FlakyService(virtual_reader(), down=2)
    recorder = Recorder()
    worker = CardWorker(lambda: flaky, service_retry_interval=0.05)  # type: ignore[arg-type,return-value]
    worker.subscribe(recorder)
    worker.start()
    try:
        recorder.wait_for(CardEventKind.SERVICE_LOST)
        recorder.wait_for(CardEventKind.CARD_INSERTED)
        assert sum(e.kind is CardEventKind.SERVICE_LOST for e in recorder.events) == 1
    finally:
        worker.stop()


def test_a_listener_that_raises_does_not_kill_the_worker(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    reader = virtual_reader()
    recorder = Recorder()
    worker = CardWorker(lambda: reader)

    def broken_listener(event: CardEvent) -> None:
        raise ZeroDivisionError("a listener's own bug")

    worker.subscribe(broken_listener)
    worker.subscribe(recorder)
    worker.start()
    try:
        recorder.wait_for(CardEventKind.CARD_INSERTED)
        assert worker.alive
    finally:
        worker.stop()


def test_the_owner_learns_when_the_thread_dies() -> None:
    recorder = Recorder()

    def broken_backend() -> ReaderBackend:
        raise RuntimeError("driver bug")

    worker = CardWorker(broken_backend)
    worker.subscribe(recorder)
    worker.start()
    recorder.wait_for(CardEventKind.WORKER_FAILED)
    worker.stop()
    assert isinstance(recorder.events[-1].error, RuntimeError)


class LateCancelService:
    """Models pcsc-lite: a cancel that arrives while nothing waits is ignored, so a job
    submitted just before the wait begins would sit out the whole wait timeout."""

    def __init__(self, inner: ReaderBackend) -> None:
        self.inner = inner
        self.waiting = False
        self.cancelled = threading.Event()
        self.lock = threading.Lock()

    def wait_for_change(self, previous: ReaderSnapshot, timeout: float) -> ReaderSnapshot:
        time.sleep(0.005)  # on the way to the service: a cancel sent now is lost
        with self.lock:
            self.waiting = True
            self.cancelled.clear()
        self.cancelled.wait(timeout)
        with self.lock:
            self.waiting = False
        return self.inner.snapshot()

    def cancel_wait(self) -> None:
        with self.lock:
            if self.waiting:
                self.cancelled.set()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_job_never_sits_out_the_wait_timeout(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    service = LateCancelService(virtual_reader())
    worker = CardWorker(lambda: service, wait_timeout=3.0)  # type: ignore[arg-type,return-value]
    worker.start()
    try:
        worker.submit(lambda b: None).result(5)
        slowest = 0.0
        for _ in range(40):
            time.sleep(0.003)  # land in every phase of the loop, the lost-cancel window too
            started = time.monotonic()
            worker.submit(lambda b: None).result(5)
            slowest = max(slowest, time.monotonic() - started)
        # Without the re-sent cancel, a job caught in the window waits the full 3 s.
        assert slowest < 0.5
    finally:
        worker.stop()
