"""The home, user info, URL list, settings and about pages, on the in-process virtual card."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QScrollArea
from pytestqt.qtbot import QtBot

from ndnclient.card.status import today_in_japan
from ndnclient.settings.cards import RegisteredCard
from ndnclient.settings.policy import Policy
from ndnclient.ui.pages.user_info import CardEditDialog
from tests.gui.conftest import drain

Start = Callable[..., Any]


def wait_for_card(qtbot: QtBot, started: Any) -> None:
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None and home.status.info is not None, timeout=3000)


# --- home ------------------------------------------------------------------------------------


def test_an_unregistered_card_is_offered_for_registration(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    wait_for_card(qtbot, started)
    banner = started.window.home.unregistered
    assert banner.isVisible()
    assert "1111-2222-3333-4444" in banner.text.text()
    banner.button.click()
    qtbot.waitUntil(
        lambda: "registered" in banner.text.text() and "not" not in banner.text.text(), timeout=3000
    )
    cards = started.settings_service.load()[0].cards
    assert [c.card_number for c in cards] == ["1111222233334444"]
    assert started.window.user_info.table.rowCount() == 1  # every page heard of it


def test_the_renewal_reminder_when_due(qtbot: QtBot, gui: Start) -> None:
    today = today_in_japan()
    started = gui(
        lang="en", valid_from=today - timedelta(days=700), valid_to=today + timedelta(days=20)
    )
    wait_for_card(qtbot, started)
    renewal = started.window.home.renewal
    assert renewal.isVisible()
    assert "renew" in renewal.text.text()
    assert str(today + timedelta(days=20 - 29)) in renewal.text.text()  # new validity start


def test_a_my_number_card_is_named_and_explained(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en", card_type="mynumber")
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None, timeout=3000)
    assert home.card_type.text().startswith("My Number card")
    assert "My Number card" in home.problem.text.text()
    assert "GoSign IC card instead" in home.problem.text.text()


def test_the_home_page_in_japanese(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja", card_number="1111222233334444")
    wait_for_card(qtbot, started)
    home = started.window.home
    assert home.card_type.text() == "GoSign ICカード"
    assert "登録" in home.unregistered.button.text()
    assert started.window.navigation.item(0).text() == "ホーム"
    assert started.window.windowTitle().startswith("GoSign ICカード")


# --- user info ------------------------------------------------------------------------------


def test_register_edit_and_remove(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    wait_for_card(qtbot, started)
    page = started.window.user_info
    page.register_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=3000)
    assert page.table.item(0, 0).text() == "1111-2222-3333-4444"
    assert page.table.item(0, 4).text() == "In the reader"

    def fill_in_and_accept(dialog: Any) -> bool:  # the user types a label and presses OK
        dialog.label.setText("契約課の更新分")
        dialog._check()
        return dialog.result_card is not None

    monkeypatch.setattr(CardEditDialog, "exec", fill_in_and_accept)
    page.table.selectRow(0)
    page.edit_button.click()
    qtbot.waitUntil(lambda: page.table.item(0, 3).text() == "契約課の更新分", timeout=3000)
    assert [c.label for c in started.settings_service.load()[0].cards] == ["契約課の更新分"]
    page.table.selectRow(0)
    asked: list[str] = []

    def agree(parent: Any, title: str, text: str, *args: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", agree)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=3000)
    assert started.settings_service.load()[0].cards == ()
    assert "Remove card 1111-2222-3333-4444" in asked[0]
    assert "card in the reader now" in asked[0]  # the inserted card: one sentence more


def test_the_edit_dialog_checks_each_field(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    dialog.number.setText("1234")
    dialog._check()
    assert dialog.number_note.isVisibleTo(dialog)
    assert "16 digits" in dialog.number_note.text()
    dialog.number.setText("1111-2222-3333-4444")
    today = today_in_japan()
    dialog.valid_from.setText(str(today - timedelta(days=10)))
    dialog.valid_to.setText(str(today - timedelta(days=11)))
    dialog._check()
    assert "ends before it starts" in dialog.dates_note.text()
    dialog.valid_to.setText(str(today + timedelta(days=700)))
    dialog._check()
    assert dialog.result_card is not None
    assert dialog.result_card.card_number == ("1111222233334444")


def test_the_old_card_stays_during_its_switching_period(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    today = today_in_japan()
    old = RegisteredCard("1111222233334444", today - timedelta(days=700), today + timedelta(days=5))
    new = RegisteredCard(
        "5555666677778888", today - timedelta(days=24), today + timedelta(days=700)
    )
    started.settings_service.set("cards", [old.to_json(), new.to_json()])
    started.window.services.settings.update(started.settings_service.load()[0])
    page = started.window.user_info
    assert "Switching period" in page.table.item(0, 4).text()
    page.table.selectRow(0)
    asked: list[str] = []

    def decline(parent: Any, title: str, text: str, *args: Any) -> Any:
        asked.append(text)  # yes to "remove?", no to "remove during the switching period?"
        return QMessageBox.StandardButton.Yes if len(asked) == 1 else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    page.remove_button.click()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=3000)
    drain(qtbot, started.window.services)
    assert page.table.rowCount() == 2
    assert "switching period" in asked[1]


def test_a_locked_value_is_read_only_and_says_why(gui: Start) -> None:
    policy = Policy(
        presets={"urls.allowed": ["https://www.e-bisc.go.jp"], "verification_method": "multitrust"},
        locked=frozenset({"urls.allowed", "verification_method", "cards"}),
        contact="情報政策課（内線 1234）",
    )
    started = gui(lang="en", policy=policy)
    window = started.window
    assert not window.urls.entry.isEnabled()
    assert not window.urls.add_button.isEnabled()
    assert "内線 1234" in window.urls.locked.text.text()
    assert not window.settings_page.ldap_method.isEnabled()
    assert window.settings_page.multitrust_method.isChecked()
    assert "内線 1234" in window.settings_page.ldap_method.toolTip()
    assert not window.user_info.register_button.isEnabled()
    assert "内線 1234" in window.user_info.locked.text.text()
    assert "内線 1234" in window.settings_page.locked.text.text()
    assert window.settings_page.ldap_url.isEnabled()  # what is not locked stays editable


# --- the allowed URL list ---------------------------------------------------------------------


def test_urls_are_checked_normalised_added_and_removed(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = started.window.urls
    page.entry.setText("http://insecure.example.jp")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.note.isVisibleTo(page), timeout=3000)
    assert "does not start with https" in page.note.text()
    assert page.list.count() == 0
    page.entry.setText("WWW.E-BISC.GO.JP/")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.list.count() == 1, timeout=3000)
    assert page.list.item(0).text() == "https://www.e-bisc.go.jp"
    assert not page.note.isVisible()
    assert page.entry.text() == ""
    page.list.setCurrentRow(0)
    # The question is a plain-text box of its own (it quotes the site): answered Yes.
    monkeypatch.setattr(QMessageBox, "exec", lambda box: int(QMessageBox.StandardButton.Yes))
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.list.count() == 0, timeout=3000)


# --- settings ---------------------------------------------------------------------------------


def test_a_bad_ldap_url_is_refused_next_to_its_field(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    page = started.window.settings_page
    page.ldap_url.setText("https://not-ldap.example.jp/o=x")
    page.multitrust_method.setChecked(True)
    page.save_button.click()
    qtbot.waitUntil(lambda: page.ldap_url_note.isVisibleTo(page), timeout=3000)
    assert "not an LDAP URL" in page.ldap_url_note.text()
    assert page.ldap_url.text() == "https://not-ldap.example.jp/o=x"  # kept for correcting
    settings = started.settings_service.load()[0]
    assert settings.verification_method == "multitrust"  # the good change was saved


def test_switching_language_rebuilds_the_window(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    old = started.app.window
    old.show_page("settings")
    page = old.settings_page
    page.language.setCurrentIndex(page.language.findData("en"))
    drain(qtbot, started.window.services)
    assert started.app.window is old  # choosing alone switches nothing
    page.language_button.click()
    qtbot.waitUntil(lambda: started.app.window is not old, timeout=3000)
    new = started.app.window
    qtbot.addWidget(new)
    assert new.navigation.item(0).text() == "Home"
    assert new.current_page_name() == "settings"
    assert started.settings_service.load()[0].language == "en"


def test_the_wheel_over_a_field_does_not_change_it(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    started.window.show_page("settings")
    page = started.window.settings_page
    before = (page.language.currentIndex(), page.receive_timeout.value())
    for field in (page.language, page.receive_timeout):
        centre = QPointF(field.rect().center())
        wheel = QWheelEvent(
            centre,
            QPointF(field.mapToGlobal(field.rect().center())),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(field, wheel)
    assert (page.language.currentIndex(), page.receive_timeout.value()) == before
    page.receive_timeout.setFocus()
    qtbot.waitUntil(page.receive_timeout.hasFocus, timeout=1000)
    wheel = QWheelEvent(
        QPointF(page.receive_timeout.rect().center()),
        QPointF(page.receive_timeout.mapToGlobal(page.receive_timeout.rect().center())),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(page.receive_timeout, wheel)
    assert page.receive_timeout.value() != before[1]  # focused, the wheel works as usual


def test_unsaved_edits_survive_a_save_elsewhere(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    settings_page, urls = started.window.settings_page, started.window.urls
    typed = "ldap://typed.example.jp:389/o=typed,c=JP"
    settings_page.ldap_url.setText(typed)
    urls.entry.setText("https://www.e-bisc.go.jp")
    urls.add_button.click()  # saves the settings and tells every page
    qtbot.waitUntil(lambda: urls.list.count() == 1, timeout=3000)
    assert settings_page.ldap_url.text() == typed
    assert settings_page.unsaved_changes() == ["ldap.url"]
    settings_page.save_button.click()
    qtbot.waitUntil(lambda: started.settings_service.load()[0].ldap_url == typed, timeout=3000)
    # The page hears of the save when the result comes back to the GUI thread, which may be a
    # moment after the file is written (CI once checked in between).
    qtbot.waitUntil(lambda: settings_page.unsaved_changes() == [], timeout=3000)


def test_a_language_switch_asks_before_dropping_unsaved_edits(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    old, page = started.app.window, started.window.settings_page
    asked: list[object] = []

    def decline(*args: object) -> QMessageBox.StandardButton:
        asked.append(args)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    settings_file = started.settings_service.store.path
    page.proxy_url.setText("http://proxy.example.lg.jp:8080")
    page.language.setCurrentIndex(page.language.findData("ja"))
    page.language_button.click()
    drain(qtbot, started.window.services)
    assert asked
    assert started.app.window is old
    assert page.proxy_url.text() == "http://proxy.example.lg.jp:8080"
    assert not settings_file.exists()  # nothing was saved, the language neither


def test_the_proxy_password_goes_to_the_keyring_only(
    qtbot: QtBot, gui: Start, memory_keyring: Any
) -> None:
    started = gui(lang="en")
    page = started.window.settings_page
    page.proxy_url.setText("http://proxy.example.lg.jp:8080")
    page.save_button.click()
    qtbot.waitUntil(
        lambda: started.window.services.settings.current.proxy_url is not None, timeout=3000
    )
    page.proxy_password.setText("Hq4!proxy")
    page.save_password.click()
    assert page.proxy_password.text() == ""
    qtbot.waitUntil(lambda: bool(memory_keyring.entries), timeout=3000)
    assert list(memory_keyring.entries.values()) == ["Hq4!proxy"]
    for path in Path(started.folder).rglob("*"):
        if path.is_file():
            assert b"Hq4!proxy" not in path.read_bytes()


# --- about ------------------------------------------------------------------------------------


def test_save_diagnostics_after_a_pin_was_entered(
    qtbot: QtBot, gui: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin=b"918273")
    wait_for_card(qtbot, started)
    pin_page = started.window.pin
    started.window.show_page("pin")
    qtbot.waitUntil(pin_page.verify_form.button.isEnabled, timeout=3000)
    pin_page.verify_pin.setText("918273")
    pin_page.verify_form.button.click()
    qtbot.waitUntil(lambda: "correct" in pin_page.result.text.text(), timeout=3000)
    target = tmp_path / "diag.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    started.window.about.save_diagnostics()
    qtbot.waitUntil(target.exists, timeout=3000)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["app"]["name"] == "ndnclient"
    assert document["card"]["card_number"]
    assert "918273" not in target.read_text(encoding="utf-8")
    for log in (started.folder / "logs").glob("*"):
        assert "918273" not in log.read_text(encoding="utf-8", errors="replace")


def test_diagnostics_that_cannot_be_saved_give_a_sentence(
    qtbot: QtBot, gui: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    target = tmp_path / "missing-folder" / "diag.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    about = started.window.about
    about.save_diagnostics()
    qtbot.waitUntil(lambda: about.banner.isVisibleTo(about), timeout=3000)
    text = about.banner.text.text()
    assert "診断情報" in text
    assert "別のフォルダー" in text
    assert str(target) in text
    assert ".tmp" not in text
    assert "Errno" not in text
    assert about.banner.kind == "error"


def test_every_page_is_reachable_by_keyboard(qtbot: QtBot, gui: Start) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = gui(lang="en").window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    for number in range(1, 9):
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.AltModifier)
        assert window.navigation.currentRow() == number - 1


def test_settings_messages_go_on_edit_and_on_leaving_the_page(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    window = started.window
    window.show_page("settings")
    page = window.settings_page
    page.multitrust_method.setChecked(True)
    page.save_button.click()
    qtbot.waitUntil(lambda: page.banner.kind == "ok" and page.banner.isVisible(), timeout=3000)
    page.ldap_url.textEdited.emit("ldap://x")  # the user types: "saved" is no longer news
    assert not page.banner.isVisible()
    page.save_button.click()  # nothing to save: an info banner
    assert page.banner.isVisible()
    window.show_page("home")
    window.show_page("settings")
    assert not page.banner.isVisible()


def test_the_proxy_password_without_a_proxy_points_to_the_window(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    started.window.show_page("settings")
    page = started.window.settings_page
    page.proxy_password.setText("pw")
    page.save_password.click()
    assert page.proxy_password_note.isVisible()
    assert "ndnclient" not in page.proxy_password_note.text()  # no command for a GUI user
    assert "保存" in page.proxy_password_note.text()


def test_removing_the_stored_proxy_password_is_asked_first(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    started.settings_service.set("proxy.url", "http://proxy.example.lg.jp:8080")
    started.window.services.settings.update(started.settings_service.load()[0])
    page = started.window.settings_page
    asked: list[str] = []
    removed: list[str] = []
    monkeypatch.setattr(
        "ndnclient.settings.secrets.delete_proxy_password", lambda proxy: removed.append(proxy)
    )

    def decline(parent: Any, title: str, text: str, *args: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    page.clear_password.click()
    drain(qtbot, started.window.services)
    assert "proxy.example.lg.jp" in asked[0]
    assert removed == []


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", ["user_info", "urls", "settings", "cert_tools"])
def test_a_form_page_fits_800x600_with_its_title_in_view(
    qtbot: QtBot, gui: Start, name: str, lang: str
) -> None:
    started = gui(lang=lang)
    window = started.window
    window.resize(800, 600)
    window.show_page(name)
    qtbot.waitUntil(lambda: window.page(name).isVisible(), timeout=2000)
    QApplication.processEvents()
    area = window.page(name).parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    # The window's scroll area for the page does not scroll: the page's own part does, so
    # the title stays in view and no scroll bar sits inside another.
    assert not area.verticalScrollBar().isVisible()
    assert not area.horizontalScrollBar().isVisible()


def test_banners_and_field_notes_show_text_as_typed_never_as_markup(qtbot: QtBot) -> None:
    from ndnclient.ui.widgets import Banner, FieldNote

    banner, note = Banner(), FieldNote()
    qtbot.addWidget(banner)
    qtbot.addWidget(note)
    banner.show_message("error", "<b>https://e-bisc</b> は使えません")
    note.show_error("<i>電子入札</i>")
    for label in (banner.text, note):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert banner.text.text() == "<b>https://e-bisc</b> は使えません"
