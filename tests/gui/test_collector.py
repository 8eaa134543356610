"""While the GUI runs, reference cycles are collected on the GUI thread only: a cycle that
holds a Qt object must never be destroyed by the card thread or a check's thread."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from ndnclient.ui.collector import CHECK_INTERVAL_MS, GuiThreadCollector


class Cycle:
    """Garbage only a cyclic collection frees; says on which thread it went."""

    def __init__(self, seen: list[str]) -> None:
        self.me = self
        weakref.finalize(self, seen.append, "collected")
        self.seen = seen


def churn(kept: list[object]) -> None:
    """What a busy background thread does: allocate enough to cross every threshold (kept,
    so that the counts stay up: freeing lowers them again)."""
    kept.extend([] for _ in range(gc.get_threshold()[0] * 3))


@pytest.fixture
def collector(qtbot: QtBot) -> Iterator[GuiThreadCollector]:
    started = GuiThreadCollector()
    yield started
    started.stop()


def test_a_background_thread_never_collects_while_the_gui_runs(
    collector: GuiThreadCollector, qtbot: QtBot
) -> None:
    assert gc.isenabled()
    collector.start()
    assert not gc.isenabled()
    where: list[str] = []
    Cycle(where)
    kept: list[object] = []
    worker = threading.Thread(target=churn, args=(kept,))
    worker.start()
    worker.join()
    assert gc.get_count()[0] > gc.get_threshold()[0]
    assert where == []  # the worker crossed the threshold and collected nothing

    # The GUI thread's timer does it, with Python's thresholds.
    qtbot.waitUntil(lambda: where == ["collected"], timeout=CHECK_INTERVAL_MS * 10)


def test_stop_collects_and_gives_collection_back(collector: GuiThreadCollector) -> None:
    collector.start()
    where: list[str] = []
    Cycle(where)
    collector.stop()
    assert where == ["collected"]
    assert gc.isenabled()
    collector.stop()  # twice is harmless
    assert gc.isenabled()


def test_collection_left_off_stays_off(collector: GuiThreadCollector) -> None:
    gc.disable()
    try:
        collector.start()
        collector.stop()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_nothing_due_collects_nothing(collector: GuiThreadCollector) -> None:
    collector.start()
    gc.collect()
    where: list[str] = []
    Cycle(where)
    collector.collect_due()  # one new object: far below the threshold
    assert where == []
