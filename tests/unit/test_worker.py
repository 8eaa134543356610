"""The card-owning worker thread, on the in-process virtual reader."""

from __future__ import annotations

import threading
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
    with pytest.raises(RuntimeError):
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
    worker.subscribe(lambda event: 1 / 0)
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
