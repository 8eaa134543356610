"""動作確認: the rows come as the checks finish, on the runner's thread, never the GUI's; cancel,
the explanation of a row, the helpdesk text, the saved report, a card pulled mid-run."""

from __future__ import annotations

import dataclasses
import html
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTableWidgetItem, QWidget
from pytestqt.qtbot import QtBot

import ndnclient
from ndnclient.diagnostics.checks import ALL_CHECKS, checks_for
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckResult, CheckStatus, Outcome
from ndnclient.diagnostics.report import (
    format_result_lines,
    in_japan,
    japan_time,
    os_name,
    problems_and_others,
)
from ndnclient.settings.service import Settings
from ndnclient.ui.demo import DemoCard
from ndnclient.ui.pages.check import (
    CODE_COLUMN,
    STATUS_COLUMN,
    TITLE_COLUMN,
    CheckPage,
)
from ndnclient.ui.pages.check import run as check_run

# Nothing listens on port 1 of the loopback: G04 fails "refused" at once, with no network.
CLOSED_LDAP = "ldap://127.0.0.1:1/o=x,c=JP"
ALL_CODES = [check.code for check in ALL_CHECKS]
RUN_TIMEOUT_MS = 20_000


class Gate:
    """Holds one check until the test lets it go, so that the test can look at the page
    while the run is still going (a cancel does not free it: a slow check lingers)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def wait(self) -> None:
        self.threads.append(threading.current_thread())
        self.entered.set()
        self.release.wait(10)  # at most: a forgotten gate must not hang the tests


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Gate]]:
    """`hold("G03")`: the page's next runs stop in that check until `gate.release` is set."""
    gates: list[Gate] = []

    def make(code: str) -> Gate:
        gate = Gate()
        original = next(c for c in ALL_CHECKS if c.code == code)

        def held(context: CheckContext) -> Outcome:
            gate.wait()
            return original.run(context)

        in_force = checks_for

        def checks_held(settings: Settings) -> tuple[Check, ...]:
            return tuple(
                dataclasses.replace(c, run=held) if c.code == code else c
                for c in in_force(settings)
            )

        monkeypatch.setattr(check_run, "checks_for", checks_held)
        gates.append(gate)
        return gate

    yield make
    for gate in gates:
        gate.release.set()


def start_gui(gui: Callable[..., Any], **card_options: Any) -> Any:
    started = gui(lang="en", **card_options)
    started.settings_service.set("ldap.url", CLOSED_LDAP)
    started.window.services.settings.update(started.settings_service.load()[0])
    started.window.show_page("check")
    return started


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def cell(page: CheckPage, row: int, column: int) -> str:
    item = page.table.item(row, column)
    assert isinstance(item, QTableWidgetItem)
    return item.text()


def codes_in_table(page: CheckPage) -> list[str]:
    """The rows' codes (the cells show them as the helpdesk says them: check error G04)."""
    codes = []
    for row in range(page.table.rowCount()):
        item = page.table.item(row, CODE_COLUMN)
        assert isinstance(item, QTableWidgetItem)
        codes.append(str(item.data(Qt.ItemDataRole.UserRole)))
    return codes


def row_of(page: CheckPage, code: str) -> int:
    return codes_in_table(page).index(code)


def status_text(page: CheckPage, code: str) -> str:
    return cell(page, row_of(page, code), STATUS_COLUMN)


def run_to_end(qtbot: QtBot, page: CheckPage) -> None:
    click(page.start_button)
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)


def test_a_full_run_fills_the_table(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    page = start_gui(gui).window.check
    assert page.table.rowCount() == 0
    assert not page.copy_button.isEnabled()
    assert not page.save_button.isEnabled()
    # Rows are added on the GUI thread only (the runner's thread just emits).
    adding_threads: list[threading.Thread] = []
    page.table.model().rowsInserted.connect(
        lambda *_: adding_threads.append(threading.current_thread())
    )
    click(page.start_button)
    assert not page.start_button.isEnabled()
    assert page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)

    assert codes_in_table(page) == ALL_CODES  # 13 rows, in the checks' order
    assert len(adding_threads) == 13
    assert all(t is threading.main_thread() for t in adding_threads)
    assert page.progress.value() == page.progress.maximum() == 13
    assert "13 of 13" in page.progress.format()
    assert page.start_button.isEnabled()
    assert not page.cancel_button.isEnabled()
    assert page.copy_button.isEnabled()
    assert page.save_button.isEnabled()
    # Status in a symbol and a word, not colour alone.
    assert status_text(page, "G01") == "✔ OK"
    assert status_text(page, "G04") == "✖ Error"
    assert status_text(page, "G08") == "－ Not checked"  # needs G04
    assert cell(page, row_of(page, "G04"), TITLE_COLUMN) == "LDAP repository reachable"
    # 「動作確認エラー」 only for a failure; every other row is headed by the neutral label.
    assert cell(page, row_of(page, "G04"), CODE_COLUMN) == "check error G04"
    assert cell(page, row_of(page, "G08"), CODE_COLUMN) == "check code G08"
    assert cell(page, row_of(page, "G01"), CODE_COLUMN) == "check code G01"
    # How long a check took is for the report, not for the user's table.
    assert page.table.columnCount() == 3
    cells = [cell(page, r, c) for r in range(page.table.rowCount()) for c in range(3)]
    assert not any(text.endswith(" ms") for text in cells)
    # The summary in words, and the failures' codes to tell.
    assert page.report is not None
    failed = [r.code for r in page.report.results if r.status is CheckStatus.FAIL]
    assert "G04" in failed
    assert "Problems found: 2. Warnings: 3." in page.summary.text()
    assert page.summary.text().startswith("✖ ")
    assert page.codes.isVisible()
    for code in ALL_CODES:
        assert (f"check error {code}" in page.codes.text()) == (code in failed)
    assert "check code" not in page.codes.text()
    # Keyboard users reach everything, and screen readers get names.
    for widget in (
        page.start_button,
        page.cancel_button,
        page.copy_button,
        page.save_button,
        page.table,
        page.details,
        page.progress,
    ):
        assert widget.accessibleName()
    assert page.table.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_rows_stream_while_the_run_goes_on(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    page = start_gui(gui).window.check
    gate = hold("G10")  # nothing waits for G10: every other check can finish meanwhile
    click(page.start_button)
    qtbot.waitUntil(lambda: page.table.rowCount() == 12, timeout=RUN_TIMEOUT_MS)
    # The run is not over, yet twelve rows are there: they came as the checks finished.
    assert gate.entered.is_set()
    assert not gate.release.is_set()
    assert page.running
    assert page.cancel_button.isEnabled()
    assert "G10" not in codes_in_table(page)
    assert page.progress.value() == 12 < page.progress.maximum()
    assert page.report is None
    assert not page.copy_button.isEnabled()
    gate.release.set()
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)
    assert codes_in_table(page) == ALL_CODES
    # The checks ran on a thread of the runner's, never on the GUI's.
    assert gate.threads
    assert all(t is not threading.main_thread() for t in gate.threads)


def test_cancel_ends_the_run_with_skipped_rows(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    page = start_gui(gui).window.check
    gate = hold("G03")
    click(page.start_button)
    qtbot.waitUntil(gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    click(page.cancel_button)
    assert not page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not page.running, timeout=5000)
    assert not gate.release.is_set()  # ended by the cancel, not by the check

    assert codes_in_table(page) == ALL_CODES
    for code in ("G03", "G05", "G06", "G07", "G08", "G09"):
        assert status_text(page, code) == "－ Not checked", code
    assert page.report is not None
    g03 = next(r for r in page.report.results if r.code == "G03")
    assert g03.status is CheckStatus.SKIPPED
    assert "stopped" in g03.detail
    assert page.start_button.isEnabled()
    assert not page.cancel_button.isEnabled()
    assert page.copy_button.isEnabled()
    assert "stopped before the end" in page.summary.text()
    assert page.progress.value() == page.progress.maximum()


def test_a_selected_row_says_what_it_means_and_what_to_do(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    page = start_gui(gui).window.check
    run_to_end(qtbot, page)
    page.table.setFocus()
    page.table.selectRow(row_of(page, "G04"))
    shown = page.details.toPlainText()
    g04 = page.selected_result()
    assert g04 is not None
    assert g04.code == "G04"
    assert g04.outcome == "refused"
    assert g04.detail in shown
    assert g04.remedy
    assert g04.remedy in shown
    assert "127.0.0.1" in shown
    assert "LDAP traffic is probably blocked" in shown  # what it means, from the catalogue
    assert "check error G04" in shown
    # A warning is no error: its heading names the code neutrally.
    page.table.selectRow(row_of(page, "G10"))
    assert "check code G10" in page.details.toPlainText()
    assert "check error" not in page.details.toPlainText()
    page.table.selectRow(row_of(page, "G04"))
    # Arrow keys move through the rows, and the pane follows.
    QTest.keyClick(page.table, Qt.Key.Key_Up)
    g03 = page.selected_result()
    assert g03 is not None
    assert g03.code == "G03"
    assert "What to do" not in page.details.toPlainText()  # G03 passed: nothing to do
    assert "GoSign" in page.details.toPlainText()


def test_copy_for_the_helpdesk(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What the helpdesk asks first (version, OS, demo or not, when in Japan time), then the
    problems with what to do, then one line for every other row: short, and nothing left
    out."""
    page = start_gui(gui).window.check
    # As `ndnclient gui --demo` runs: the demo card, with its own folder (and ledger).
    monkeypatch.setattr(page.services, "demo", DemoCard(tmp_path / "demo"))
    run_to_end(qtbot, page)
    QGuiApplication.clipboard().clear()
    click(page.copy_button)
    copied = QGuiApplication.clipboard().text()
    report, messages = page.report, page.services.messages
    assert report is not None
    assert report.summary(messages) in copied
    assert f"ndnclient {ndnclient.__version__}" in copied
    assert f"OS: {os_name()}" in copied
    assert messages.text("report.mode_demo") in copied
    assert japan_time(report.generated_at, messages) in copied
    assert "(Japan time)" in copied
    codes = report.codes_to_tell(messages)
    assert any("G04" in code for code in codes)
    for code in codes:
        assert code in copied
    problems, others = problems_and_others(report)
    assert problems
    assert others
    for result in problems:  # with what to do
        assert "\n".join(format_result_lines(result, messages)) in copied
    for result in others:  # every other row, unchecked ones too, one line each
        assert format_result_lines(result, messages)[0] in copied
    assert {r.code for r in report.results} == {r.code for r in [*problems, *others]}
    # Problems first: the first problem comes before the first other row.
    assert copied.index(problems[0].title) < copied.index(others[0].title)
    # Short: a head of at most 14 lines, then one line a row and one a remedy.
    lines = copied.splitlines()
    assert len(lines) <= 14 + len(report.results) + sum(bool(r.remedy) for r in problems)
    assert page.banner.isVisible()
    assert "Copied" in page.banner.text.text()


def test_save_the_report_as_html_and_json(
    qtbot: QtBot, gui: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = start_gui(gui).window.check
    run_to_end(qtbot, page)
    report, messages = page.report, page.services.messages
    assert report is not None
    answers: list[tuple[str, str]] = []
    suggested: list[str] = []

    def choose(parent: Any, caption: str, folder: str, filters: str) -> tuple[str, str]:
        kinds = filters.split(";;")
        assert kinds[0].endswith("(*.html)")  # the one to open and print comes first
        assert any("*.txt" in k for k in kinds)
        assert any("*.json" in k for k in kinds)
        suggested.append(folder)
        name, wanted = answers.pop(0)
        return name, next(k for k in kinds if wanted in k)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)

    answers.append((str(tmp_path / "report.html"), "*.html"))
    click(page.save_button)
    qtbot.waitUntil(lambda: "saved" in page.banner.text.text(), timeout=5000)
    # The name offered carries the time in Japan, as the report itself does.
    assert f"ndnclient-check-{in_japan(report.generated_at):%Y%m%d-%H%M}" in suggested[0]
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>")
    assert "LDAP repository reachable" in written
    for code in report.codes_to_tell(messages):
        assert code in written
    assert japan_time(report.generated_at, messages) in written
    assert html.escape(messages.text("report.mode_real")) in written
    for notation in ("None", "[]", "{'"):  # Python's notation, never a person's
        assert notation not in written

    answers.append((str(tmp_path / "report"), "*.txt"))  # no suffix: the filter decides
    page.banner.hide()
    click(page.save_button)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=5000)
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert text.startswith(messages.text("check.report_title"))
    assert f"{messages.text('report.setting.ldap.url')} [set by you]: {CLOSED_LDAP}" in text
    assert all(result.title in text for result in report.results)

    answers.append((str(tmp_path / "report"), "*.json"))  # no suffix: the filter decides
    page.banner.hide()
    click(page.save_button)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=5000)
    assert str(tmp_path / "report.json") in page.banner.text.text()
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert document["mode"] == "real"
    assert document["generated_at"].endswith("+09:00")
    assert document["setting_sources"]["ldap.url"] == "user"
    assert [r["code"] for r in document["results"]] == ALL_CODES
    by_code = {r["code"]: r for r in document["results"]}
    assert by_code["G04"]["status"] == "fail"
    assert by_code["G04"]["outcome"] == "refused"
    assert document["summary"]["failed"] is True
    assert document["settings"]["ldap.url"] == CLOSED_LDAP
    assert document["card_number"] is not None
    assert "-" in document["card_number"]

    # A folder that does not exist: a sentence in the banner, nothing raised.
    answers.append((str(tmp_path / "missing" / "report.html"), "*.html"))
    click(page.save_button)
    qtbot.waitUntil(lambda: "could not be saved" in page.banner.text.text(), timeout=5000)
    assert page.save_button.isEnabled()


def test_a_card_pulled_during_the_check(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    started = start_gui(gui)
    page = started.window.check
    gate = hold("G03")  # reading the card is under way when the card leaves
    click(page.start_button)
    qtbot.waitUntil(gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    started.reader.remove()
    gate.release.set()
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)

    assert codes_in_table(page) == ALL_CODES
    assert status_text(page, "G02") == "✔ OK"
    # A card pulled out is a state, not a fault: not checked, no red cross, no error code.
    assert status_text(page, "G03") == "－ Not checked"
    assert cell(page, row_of(page, "G03"), CODE_COLUMN) == "check code G03"
    for code in ("G05", "G06", "G07", "G09"):
        assert status_text(page, code) == "－ Not checked", code
    assert "G03" not in page.codes.text()
    assert "No card is inserted" in page.summary.text()
    page.table.selectRow(row_of(page, "G03"))
    assert "Insert the card and run the operation check again" in page.details.toPlainText()
    assert "check error" not in page.details.toPlainText()
    # The rest of the window lives on and follows the card.
    qtbot.waitUntil(lambda: started.window.home.card_type.text() == "no card", timeout=3000)


def test_a_second_run_after_a_cancel_shows_only_its_own_rows(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    page = start_gui(gui).window.check
    first_gate = hold("G03")  # the first run's check lingers on
    click(page.start_button)
    qtbot.waitUntil(first_gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    click(page.cancel_button)
    qtbot.waitUntil(lambda: not page.running, timeout=5000)
    assert status_text(page, "G03") == "－ Not checked"
    assert page.run is not None
    first_run = page.run.run_id

    second_gate = hold("G03")
    click(page.start_button)
    qtbot.waitUntil(second_gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    assert "G03" not in codes_in_table(page)
    assert page.table.rowCount() < 13
    assert page.summary.text() == "Checking…"
    assert page.codes.isHidden()
    # What the first run might still send is dropped: no row, no end of this run.
    stale = CheckResult("G03", CheckStatus.FAIL, "stale", "stale", "", {}, 0, "stale")
    page._channel.result_arrived.emit(first_run, stale)
    page._channel.run_ended.emit(first_run, [stale])
    # The stale news is queued (the page's slots are queued connections): handled now.
    QCoreApplication.processEvents()
    first_gate.release.set()  # the first run's lingering check ends; its runner is gone
    assert "G03" not in codes_in_table(page)
    assert page.running
    assert not page.start_button.isEnabled()

    second_gate.release.set()
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)
    assert codes_in_table(page) == ALL_CODES  # each once, from the second run
    assert status_text(page, "G03") == "✔ OK"
    assert page.report is not None
    assert all(r.title != "stale" for r in page.report.results)
    assert "stopped before the end" not in page.summary.text()


def test_a_language_switch_waits_for_the_run_to_end(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    started = start_gui(gui)
    old_window, page = started.window, started.window.check
    gate = hold("G03")
    click(page.start_button)
    qtbot.waitUntil(gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    assert started.app.change_language("ja") is False  # the run's results belong here
    retried: list[object] = []
    original_retry = started.app._retry_language

    def retry() -> None:
        retried.append(True)
        original_retry()

    started.app._retry_language = retry
    # The app looks again after a while; the run still holds the window, so it waits more.
    qtbot.waitUntil(lambda: bool(retried), timeout=RUN_TIMEOUT_MS)
    assert started.app.window is old_window
    assert page.running
    gate.release.set()
    qtbot.waitUntil(lambda: started.app.window is not old_window, timeout=RUN_TIMEOUT_MS)
    assert page.report is not None or not shiboken6.isValid(page)


def test_a_page_destroyed_mid_run_stops_its_run(
    qtbot: QtBot, gui: Callable[..., Any], hold: Callable[[str], Gate]
) -> None:
    started = start_gui(gui)
    page = started.window.check
    gate = hold("G03")
    click(page.start_button)
    qtbot.waitUntil(gate.entered.is_set, timeout=RUN_TIMEOUT_MS)
    assert page.run is not None
    cancel = page.run.context.cancel
    channel = page._channel  # outlives the page
    page.deleteLater()  # as when the window closes mid-run
    qtbot.waitUntil(cancel.is_set, timeout=3000)
    # The old run ends; what it sends reaches no one, and nothing breaks (an exception in a
    # slot would fail the test: qt_default_raising).
    with qtbot.waitSignal(channel.run_ended, timeout=RUN_TIMEOUT_MS):
        gate.release.set()


# --- G14, the signature test: only when asked, with the PIN rules ------------------------------


def _wait_for_tries(qtbot: QtBot, page: Any) -> None:
    qtbot.waitUntil(lambda: page.signature.pin.isEnabled(), timeout=5000)


def _start_and_finish(qtbot: QtBot, page: Any) -> None:
    """Start (with the signature test the tries are read first) and wait for the run's end."""
    before = page._last_run_id
    page.start()
    qtbot.waitUntil(lambda: page._last_run_id > before and not page.running, timeout=20000)


def test_the_signature_test_runs_only_when_asked_and_signs(qtbot: QtBot, gui: Any) -> None:
    started = gui()
    page = started.window.check
    started.window.show_page("check")
    assert not page.signature.pin.isVisible()
    page.start()
    qtbot.waitUntil(lambda: not page.running, timeout=20000)
    assert "G14" not in page.run.results  # not asked: not run, no PIN sent
    page.signature.checkbox.setChecked(True)
    _wait_for_tries(qtbot, page)
    assert "10" in page.signature.tries.text()
    page.signature.pin.setText("1234")
    before = page._last_run_id
    page.start()
    assert page.signature.pin.text() == ""  # out of the field at once
    qtbot.waitUntil(lambda: page._last_run_id > before and not page.running, timeout=20000)
    g14 = page.run.results["G14"]
    assert (g14.status.value, g14.outcome) == ("ok", "ok")
    assert started.reader.card.state.pin_tries_left == 10


def test_a_wrong_pin_in_the_signature_test_spends_one_try(qtbot: QtBot, gui: Any) -> None:
    started = gui()
    page = started.window.check
    page.signature.checkbox.setChecked(True)
    _wait_for_tries(qtbot, page)
    page.signature.pin.setText("9999")
    _start_and_finish(qtbot, page)
    assert page.run.results["G14"].outcome == "wrong_pin"
    assert started.reader.card.state.pin_tries_left == 9
    qtbot.waitUntil(lambda: "9" in page.signature.tries.text(), timeout=5000)  # read again


def test_a_blocked_pin_runs_no_signature_test(qtbot: QtBot, gui: Any) -> None:
    started = gui(pin_tries_left=0)
    page = started.window.check
    started.window.show_page("check")
    page.signature.checkbox.setChecked(True)
    qtbot.waitUntil(lambda: "ロック" in page.signature.tries.text(), timeout=5000)
    assert not page.signature.pin.isEnabled()
    page.start()
    assert not page.running
    assert page.signature.note.isVisible()
    assert "ロック" in page.signature.note.text()
    assert started.reader.card.state.pin_tries_left == 0


@pytest.mark.parametrize("answer", ["no", "yes"])
def test_the_last_try_asks_first(
    qtbot: QtBot, gui: Any, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    started = gui(pin_tries_left=1)
    page = started.window.check
    asked: list[str] = []
    button = QMessageBox.StandardButton.Yes if answer == "yes" else QMessageBox.StandardButton.No

    def ask(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args[1])
        return button

    monkeypatch.setattr(QMessageBox, "question", ask)
    page.signature.checkbox.setChecked(True)
    _wait_for_tries(qtbot, page)
    page.signature.pin.setText("1234")
    before = page._last_run_id
    page.start()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    if answer == "no":
        assert page._last_run_id == before
        assert started.reader.card.state.pin_tries_left == 1
        return
    qtbot.waitUntil(lambda: page._last_run_id > before and not page.running, timeout=20000)
    assert page.run.results["G14"].outcome == "ok"
    assert started.reader.card.state.pin_tries_left == 10


def test_the_tries_are_read_again_before_the_signature_test(
    qtbot: QtBot, gui: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The card lost tries behind the window's back (another program): the page must not
    # trust what it showed before, and must reach the last-try question.
    started = gui()
    page = started.window.check
    page.signature.checkbox.setChecked(True)
    _wait_for_tries(qtbot, page)
    assert "10" in page.signature.tries.text()
    from ndnclient.card.errors import InvalidPinError
    from ndnclient.card.session import GoSignSession

    other = started.reader.connect(started.reader.list_readers()[0])
    session = GoSignSession(other)
    for _ in range(9):
        with pytest.raises(InvalidPinError):
            session.verify_pin(bytearray(b"0000"))
    other.close()
    assert started.reader.card.state.pin_tries_left == 1
    asked: list[str] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args[1])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    page.signature.pin.setText("1234")
    page.start()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "1" in page.signature.tries.text()
    assert not page.running
    assert started.reader.card.state.pin_tries_left == 1


# --- neutral states, remedies that open a page, the layout, the language switch -------------


def test_no_card_is_a_state_not_a_fault(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en")  # no ldap.url: without a card, G04 has nothing to probe
    started.settings_service.set("urls.allowed", ["https://www.e-bisc.go.jp"])
    started.window.services.settings.update(started.settings_service.load()[0])
    started.window.show_page("check")
    started.reader.remove()
    page = started.window.check
    run_to_end(qtbot, page)
    assert status_text(page, "G02") == "－ Not checked"
    assert cell(page, row_of(page, "G02"), CODE_COLUMN) == "check code G02"
    assert page.report is not None
    assert not page.report.failed
    assert page.codes.isHidden()  # nothing to tell the helpdesk
    # The summary is neither a red cross nor a green tick: the card was simply not checked.
    summary = page.summary.text()
    assert not summary.startswith(("✖", "✔")), summary
    assert "No card is inserted, so the card was not checked." in summary
    page.table.selectRow(row_of(page, "G02"))
    shown = page.details.toPlainText()
    assert "Insert the GoSign IC card" in shown
    assert "check error" not in shown


def test_a_remedy_opens_its_page(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = start_gui(gui)  # the allowed URL list is empty: G10 warns
    page = started.window.check
    run_to_end(qtbot, page)
    page.table.selectRow(row_of(page, "G10"))
    g10 = page.selected_result()
    assert g10 is not None
    assert g10.outcome == "empty"
    # The window names the page to use, not a command to type.
    assert "ndnclient" not in g10.remedy
    assert "Allowed URL list" in g10.remedy
    assert page.open_page_button.isVisible()
    assert page.open_page_button.text() == "Open the “Allowed URL list” page"
    click(page.open_page_button)
    assert started.window.current_page_name() == "urls"
    # A row with nothing to do offers no page.
    started.window.show_page("check")
    page.table.selectRow(row_of(page, "G01"))
    assert page.open_page_button.isHidden()
    page.table.selectRow(row_of(page, "G04"))  # a remedy, but for the network department
    assert page.open_page_button.isHidden()


@pytest.mark.parametrize(("width", "height", "table_at_least"), [(1280, 800, 200), (800, 600, 90)])
def test_no_outer_scroll_bar_and_the_table_scrolls_inside(
    qtbot: QtBot, gui: Callable[..., Any], width: int, height: int, table_at_least: int
) -> None:
    started = start_gui(gui)
    window, page = started.window, started.window.check
    window.resize(width, height)
    run_to_end(qtbot, page)
    click(page.copy_button)  # a banner too: the most the page shows at once
    qtbot.waitUntil(page.banner.isVisible, timeout=3000)
    area = window._areas[2]
    qtbot.waitUntil(lambda: area.viewport().height() > 0, timeout=3000)
    QCoreApplication.processEvents()
    assert page.height() <= area.viewport().height()
    assert not area.verticalScrollBar().isVisible()
    assert page.table.height() >= table_at_least  # the table takes the height that is left
    assert page.details.height() > 0


def test_a_stale_banner_goes_when_the_page_is_left(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = start_gui(gui)
    page = started.window.check
    run_to_end(qtbot, page)
    click(page.copy_button)
    assert page.banner.isVisible()
    started.window.show_page("home")
    started.window.show_page("check")
    assert page.banner.isHidden()
    assert page.table.rowCount() == 13  # the results stay


def test_the_results_survive_a_language_switch(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = start_gui(gui)
    old_page = started.window.check
    run_to_end(qtbot, old_page)
    old_page.table.selectRow(row_of(old_page, "G04"))
    assert started.app.change_language("ja") is True
    page = started.app.window.check
    assert page is not old_page
    assert codes_in_table(page) == ALL_CODES
    assert page.report is not None
    # Rendered again in the new language, from the outcomes and their values.
    g04 = next(r for r in page.report.results if r.code == "G04")
    assert g04.title == "LDAPリポジトリへの接続"
    assert "接続が拒否されました" in g04.detail
    assert "127.0.0.1" in g04.remedy
    assert "LDAP方式" in g04.remedy  # a phrase the check quoted, in Japanese too
    assert cell(page, row_of(page, "G04"), CODE_COLUMN) == "動作確認エラー:G04"
    assert cell(page, row_of(page, "G10"), CODE_COLUMN) == "確認コード:G10"
    assert status_text(page, "G04") == "✖ エラー"
    assert "動作確認エラー:G04" in page.codes.text()
    assert "件の問題" in page.summary.text()
    # The row that was selected still is, and its explanation is in Japanese.
    assert "動作確認エラー:G04" in page.details.toPlainText()
    assert page.copy_button.isEnabled()
