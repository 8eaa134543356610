"""The home page follows the card live, through the card thread and Qt signals."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from ndnclient.messages import Messages
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.ui.app import build_main_window
from ndnclient.ui.main_window import MainWindow


@pytest.fixture
def reader(virtual_reader: Callable[..., VirtualReaderBackend]) -> VirtualReaderBackend:
    return virtual_reader(card_number="1111222233334444", holder="電子 花子", pin_tries_left=4)


@pytest.fixture
def window(qtbot: QtBot, reader: VirtualReaderBackend) -> Iterator[MainWindow]:
    main = build_main_window(Messages("ja"), lambda: reader)
    qtbot.addWidget(main)
    yield main
    main.bridge.stop()


def test_title_names_the_product(window: MainWindow) -> None:
    assert "GoSign" in window.windowTitle()


def test_card_shown_and_followed_without_a_button(
    qtbot: QtBot, window: MainWindow, reader: VirtualReaderBackend
) -> None:
    home = window.home
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    assert home.holder.text() == "電子 花子"
    assert home.pin_tries.text() == "4 / 10 回"
    assert home.card_type.text() == "GoSign ICカード"
    reader.remove()
    qtbot.waitUntil(lambda: home.card_type.text() == "カードなし", timeout=1000)
    assert "カードが入っていません" in home.problem.text()
    reader.insert()
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=1000)
    assert home.problem.isHidden()
