"""Work off the GUI thread, with the answer delivered back on the GUI thread.

Every file, keyring and network call the GUI makes goes through `Tasks.run`: the work runs on
a pool thread, and `on_done` / `on_error` are called on the GUI thread, only while `owner`
(the widget that asked) still exists. A page rebuilt for another language never receives an
answer meant for its predecessor.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from ndnclient.errors import UserFacingError

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class Deliverer(QObject):
    """Carries a finished future's outcome to the GUI thread (a queued signal).

    An error that is not a `UserFacingError` is a bug: it is logged with its traceback and
    announced on `unexpected` (the application offers a report) before the page hears it."""

    _arrived = Signal(object, object, object, object)  # future, on_done, on_error, owner
    unexpected = Signal(str)  # the exception's class name

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._deliver)

    def watch(
        self, future: Future[Any], on_done: Done, on_error: Failed | None, owner: QObject | None
    ) -> None:
        def arrived(done: Future[Any]) -> None:  # any thread: emit only
            # Work that ends after the application stopped (and this object went with it)
            # has no one to tell: dropped quietly, not an error on the pool's thread.
            if not shiboken6.isValid(self):
                return
            with contextlib.suppress(RuntimeError):  # deleted between the check and the emit
                self._arrived.emit(done, on_done, on_error, owner)

        future.add_done_callback(arrived)

    @Slot(object, object, object, object)
    def _deliver(
        self, future: Future[Any], on_done: Done, on_error: Failed | None, owner: QObject | None
    ) -> None:
        if owner is not None and not shiboken6.isValid(owner):
            return  # the widget that asked is gone (e.g. rebuilt for another language)
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            on_done(future.result())
            return
        if not isinstance(error, UserFacingError):
            log.error("background work failed unexpectedly", exc_info=error)
            self.unexpected.emit(type(error).__name__)
        if on_error is not None:
            on_error(error)


class Tasks(QObject):
    """One background thread for the GUI's I/O: settings, keyring, files.

    One, so that work runs in the order it was asked for: two saves of the settings never
    race, and the pages hear the results in that order too."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gui-io")
        self.deliverer = Deliverer(self)

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Failed | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        self.deliverer.watch(self._pool.submit(work), on_done, on_error, owner)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
