"""The home page follows the card live, through the card thread and Qt signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot


def test_title_names_the_product(gui: Callable[..., Any]) -> None:
    window = gui(lang="en").window
    assert "GoSign" in window.windowTitle()


def test_card_shown_and_followed_without_a_button(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en", card_number="1111222233334444", holder="電子 花子", pin_tries_left=4)
    home, reader = started.window.home, started.reader
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    assert home.holder.text() == "電子 花子"
    assert home.pin_tries.text() == "4 of 10"
    assert home.card_type.text() == "GoSign IC card"
    reader.remove()
    qtbot.waitUntil(lambda: home.card_type.text() == "no card", timeout=1000)
    assert "no card in the reader" in home.problem.text.text()
    reader.insert()
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=1000)
    assert home.problem.isHidden()


def test_the_verdict_line_says_what_matters_most(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en", card_number="1111222233334444", pin_tries_left=2)
    home, reader = started.window.home, started.reader
    qtbot.waitUntil(lambda: "few PIN tries" in home.verdict.text(), timeout=3000)
    assert home.verdict.text().startswith("▲")  # a symbol, not colour alone
    reader.remove()
    qtbot.waitUntil(lambda: "cannot be used" in home.verdict.text(), timeout=1000)
    assert home.verdict.text().startswith("✖")


def test_the_verdict_is_ready_only_for_a_registered_card(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    home = started.window.home
    qtbot.waitUntil(lambda: "not registered yet" in home.verdict.text(), timeout=3000)
    home.unregistered.button.click()
    qtbot.waitUntil(lambda: home.verdict.text() == "✔ The card is ready to use.", timeout=3000)
