"""Card work as jobs: a function of a `ReaderBackend`, run one at a time by whoever owns the
card (the CLI on a backend of its own, the GUI on its card thread), and the one factory of
the system's smart-card service that both use."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from ndnclient.card.connection import ReaderBackend

T = TypeVar("T")


def system_backend() -> ReaderBackend:
    """The system's smart-card service (PC/SC). pyscard is imported here, when a command or
    the window first needs the card, not when the program starts."""
    from ndnclient.card.pcsc import PcscBackend

    return PcscBackend()


class CardAccess(Protocol):
    """Runs a card job and returns its result (or raises its error)."""

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T: ...


class DirectCardAccess:
    """Runs card jobs on one backend of its own, one at a time (the CLI's way)."""

    def __init__(self, backend_factory: Callable[[], ReaderBackend] = system_backend) -> None:
        self._factory = backend_factory
        self._backend: ReaderBackend | None = None
        self._lock = threading.Lock()

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T:
        with self._lock:
            if self._backend is None:
                self._backend = self._factory()
            return job(self._backend)

    def close(self, timeout: float = 1.0) -> None:
        """Release the backend, unless a card job is still stuck (then the program's end
        releases it: waiting for the job would undo every bound the caller keeps)."""
        if not self._lock.acquire(timeout=timeout):
            return
        try:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
        finally:
            self._lock.release()
