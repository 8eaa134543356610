"""許可URLリスト: values that cannot be right are refused, a page's address is offered as its
site, one message for each state, and removals (button or Delete) are asked first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.gui.conftest import drain

Start = Callable[..., Any]


def answering(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[Any]:
    """A question box answered with `answer`; each is kept as (parent, title, text, buttons,
    default, text format). The static QMessageBox.question is caught too (its text format
    is Qt's guess: None here)."""
    asked: list[Any] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append((*args, None))
        return answer

    def exec_(box: QMessageBox) -> int:
        default = box.standardButton(box.defaultButton())
        shown = (box.parent(), box.windowTitle(), box.text(), box.standardButtons())
        asked.append((*shown, default, box.textFormat()))
        return int(answer.value)

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def add(qtbot: QtBot, started: Any, text: str) -> None:
    started.window.show_page("urls")
    page = started.window.urls
    page.entry.setText(text)
    page.add_button.click()
    drain(qtbot, started.window.services)


def test_a_name_without_a_dot_is_refused_and_the_old_success_goes(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    page = started.window.urls
    add(qtbot, started, "https://www.e-bisc.go.jp")
    assert page.banner.isVisible()
    for typed in ("電子入札", "https://e-bisc"):
        add(qtbot, started, typed)
        assert page.note.isVisible()
        assert f"「{typed}」はサイトのアドレスになりません" in page.note.text()
        assert not page.banner.isVisible()  # one message: not "added" beside the refusal
        assert page.entry.text() == typed  # kept for correcting
    assert started.settings_service.load()[0].urls_allowed == ("https://www.e-bisc.go.jp",)


def test_localhost_and_addresses_are_accepted(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    add(qtbot, started, "https://localhost:8443")
    add(qtbot, started, "https://192.0.2.10")
    assert started.settings_service.load()[0].urls_allowed == (
        "https://localhost:8443",
        "https://192.0.2.10",
    )


def test_a_page_address_is_offered_as_its_site(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    page = started.window.urls
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    add(qtbot, started, "https://www.e-bisc.go.jp/foo/bar?x=1")
    drain(qtbot, started.window.services)
    assert "https://www.e-bisc.go.jp\n" in asked[0][2]  # what will be saved, shown first
    assert started.settings_service.load()[0].urls_allowed == ("https://www.e-bisc.go.jp",)
    assert "https://www.e-bisc.go.jp を追加しました" in page.banner.text.text()
    assert page.entry.text() == ""


def test_a_page_address_declined_is_kept_with_a_sentence(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = started.window.urls
    answering(monkeypatch, QMessageBox.StandardButton.No)
    add(qtbot, started, "https://www.e-bisc.go.jp/top.html")
    assert started.settings_service.load()[0].urls_allowed == ()
    assert page.entry.text() == "https://www.e-bisc.go.jp/top.html"
    assert "Nothing was added" in page.note.text()
    page.entry.textEdited.emit("https://www.e-bisc.go.jp")  # the user corrects it
    assert not page.note.isVisible()


def test_a_removal_is_asked_first_by_button_and_by_delete(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    page = started.window.urls
    add(qtbot, started, "https://a.example.jp")
    add(qtbot, started, "https://b.example.jp")
    page.list.setCurrentRow(0)
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    page.remove_button.click()
    drain(qtbot, started.window.services)
    assert "https://a.example.jp を許可URLリストから削除しますか？" in asked[0][2]
    assert asked[0][4] == QMessageBox.StandardButton.No
    assert page.list.count() == 2
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    page.list.setCurrentRow(0)
    QTest.keyClick(page.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=3000)
    assert len(asked) == 1
    # Nothing is selected after a removal: a second Delete removes nothing more.
    assert not page.remove_button.isEnabled()
    QTest.keyClick(page.list, Qt.Key.Key_Delete)
    drain(qtbot, started.window.services)
    assert len(asked) == 1
    assert started.settings_service.load()[0].urls_allowed == ("https://b.example.jp",)


def test_messages_go_when_the_page_is_left(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    window = started.window
    window.show_page("urls")
    add(qtbot, started, "https://a.example.jp")
    assert window.urls.banner.isVisible()
    window.show_page("home")
    window.show_page("urls")
    assert not window.urls.banner.isVisible()


def test_an_empty_entry_gets_a_sentence(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    page = started.window.urls
    add(qtbot, started, "   ")
    assert page.note.isVisible()
    assert page.note.text()


def test_what_was_typed_is_shown_as_typed_never_as_markup(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = started.window.urls
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    add(qtbot, started, "https://www.e-bisc.go.jp/<b>x</b>")
    assert "https://www.e-bisc.go.jp/<b>x</b> is the address of a page" in asked[0][2]
    assert asked[0][5] == Qt.TextFormat.PlainText
    assert asked[0][4] == QMessageBox.StandardButton.Yes  # the site is what the user wants
    add(qtbot, started, "<i>電子入札</i>")
    assert page.note.isVisible()
    assert page.note.textFormat() == Qt.TextFormat.PlainText
    assert "<i>電子入札</i>" in page.note.text()


def test_a_removal_question_is_plain_text_with_no_as_default(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = started.window.urls
    add(qtbot, started, "https://a.example.jp")
    page.list.setCurrentRow(0)
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    page.remove_button.click()
    assert asked[0][4] == QMessageBox.StandardButton.No
    assert asked[0][5] == Qt.TextFormat.PlainText
