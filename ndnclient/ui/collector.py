"""Python's cyclic garbage collection, on the GUI thread only.

Python collects reference cycles on whichever thread happens to allocate when a threshold is
crossed: the card thread, the operation check's threads, the task pool. A cycle that holds a
Qt object (a window rebuilt for another language, a page and its connections) then destroys
that object on the wrong thread, which Qt does not allow and which can crash the program at
random. While the GUI runs, automatic collection is off and this timer collects instead, on
the GUI thread, with Python's own thresholds (the approach long used by Qt programs written in
Python, e.g. qutebrowser).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

# Often enough that garbage never piles up, rarely enough to cost nothing (a look at three
# counters when there is nothing to do).
CHECK_INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """`start()` turns automatic collection off and collects from a GUI-thread timer;
    `stop()` collects once more and gives collection back to Python as it was."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled: bool | None = None

    @property
    def running(self) -> bool:
        return self._was_enabled is not None

    def start(self) -> None:
        if self.running:
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        if self._was_enabled is None:
            return
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    @Slot()
    def collect_due(self) -> None:
        """Collect the generations whose counters passed Python's thresholds, youngest first,
        as Python itself would have."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        if counts[0] <= thresholds[0]:
            return
        generation = 0
        if counts[1] > thresholds[1]:
            generation = 2 if counts[2] > thresholds[2] else 1
        gc.collect(generation)
