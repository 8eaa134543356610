"""動作確認 (the operation check): start and cancel, a row for each check the moment it
finishes, what each result means and what to do, and the report for the helpdesk.

The checks run on a thread of their own, never the GUI's: each result crosses to the GUI
thread through a queued signal, and the card is reached only through the card thread
(`CardBridge.blocking_access`). Every run has an id, so that what an older (cancelled) run
still sends never lands in a newer run's table.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.access import expected_number
from ndnclient.card.choice import CardChoice
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.operations import UNKNOWN_COUNTERS, Counters, read_counters
from ndnclient.card.pin import LOW_TRIES_WARNING, ExpectedNumber, SecretBuffer
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.status import CardStatus
from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.diagnostics.checks import ALL_CHECKS
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckResult, CheckStatus
from ndnclient.diagnostics.report import (
    CheckReport,
    ReportWriteError,
    format_result_lines,
    write_report,
)
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.diagnostics.signature_test import SIGNATURE_TEST
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import (
    SELECTABLE_TEXT,
    Banner,
    FieldNote,
    empty_secret,
    secret_field,
    status_style,
)

log = logging.getLogger(__name__)

STATUS_COLUMN, CODE_COLUMN, TITLE_COLUMN, TIME_COLUMN = range(4)
PROBLEMS = (CheckStatus.FAIL, CheckStatus.WARN)


class RunChannel(QObject):
    """Carries a run's news from the runner's thread to the GUI thread (queued signals).

    Not a child of the page: a runner thread that outlives the page (the window rebuilt for
    another language) still emits into a live object, which then reaches no one."""

    result_arrived = Signal(int, object)  # run id, CheckResult
    run_ended = Signal(int, object)  # run id, list[CheckResult] in the checks' order
    run_failed = Signal(int, str)  # run id, the unexpected exception's class name


@dataclass
class CheckRun:
    """One press of Start: its context (the cancel flag, the card findings) and what came."""

    run_id: int
    context: CheckContext
    checks: tuple[Check, ...]
    results: dict[str, CheckResult] = field(default_factory=dict)
    cancelled: bool = False
    ended: bool = False
    signature_pin: SecretBuffer | None = None  # G14's PIN, wiped when the run ends

    def order(self, code: str) -> int:
        return next((i for i, c in enumerate(self.checks) if c.code == code), len(self.checks))


class _StopOnClose:
    """Cancels the run in progress when the page goes (the slot must not hold the page)."""

    def __init__(self) -> None:
        self.cancel: threading.Event | None = None

    def stop(self, *_: Any) -> None:
        if self.cancel is not None:
            self.cancel.set()


def run_checks(runner: CheckRunner, run_id: int, channel: RunChannel) -> None:
    """The runner's thread: run every check, emitting each result as it comes. It touches
    no widget: it only emits."""
    try:
        results = runner.run(on_result=lambda result: channel.result_arrived.emit(run_id, result))
    except Exception as error:  # the runner turns check errors into results; this is a bug
        log.exception("the operation check stopped unexpectedly")
        channel.run_failed.emit(run_id, type(error).__name__)
        return
    channel.run_ended.emit(run_id, results)


class CheckPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.run: CheckRun | None = None
        self.report: CheckReport | None = None
        self._last_run_id = 0
        self._stopper = _StopOnClose()
        self.destroyed.connect(self._stopper.stop)
        self._channel = RunChannel()
        queued = Qt.ConnectionType.QueuedConnection
        self._channel.result_arrived.connect(self._result_arrived, queued)
        self._channel.run_ended.connect(self._run_ended, queued)
        self._channel.run_failed.connect(self._run_failed, queued)

        title = QLabel(self.tr("Operation check"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Checks the card reader, the card, the settings and the network. When something"
                " does not work, run it and tell the helpdesk the codes it shows."
            )
        )
        intro.setWordWrap(True)

        self.start_button = self._button(self.tr("&Start"), self.tr("Start the operation check"))
        self.start_button.clicked.connect(self.start)
        self.cancel_button = self._button(self.tr("S&top"), self.tr("Stop the operation check"))
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button = self._button(
            self.tr("&Copy for the helpdesk"),
            self.tr("Copy the summary and the codes for the helpdesk"),
        )
        self.copy_button.clicked.connect(self.copy_for_helpdesk)
        self.save_button = self._button(self.tr("Save the &report…"), self.tr("Save the report"))
        self.save_button.clicked.connect(self.save_report)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.copy_button, self.save_button):
            buttons.addWidget(button)

        # G14, the signature test: it needs the PIN, so only when asked, with the tries shown.
        self.sign_test = QCheckBox(self.tr("Also run the si&gnature test (G14): it uses the PIN"))
        self.sign_test.toggled.connect(self._sign_test_toggled)
        self.sign_pin = secret_field(self.tr("PIN for the signature test"))
        self.sign_tries = QLabel()
        self.sign_tries.setWordWrap(True)
        # The card the signature test's PIN goes to, named before it is typed.
        self.sign_card = QLabel()
        self.sign_card.setWordWrap(True)
        self.sign_card.setAccessibleName(self.tr("Card for the signature test"))
        self.sign_note = FieldNote()
        sign_row = QHBoxLayout()
        self.sign_pin_label = QLabel(self.tr("P&IN"))
        self.sign_pin_label.setBuddy(self.sign_pin)
        sign_row.addWidget(self.sign_pin_label)
        sign_row.addWidget(self.sign_pin)
        sign_row.addWidget(self.sign_tries, 1)
        self._sign_widgets = (self.sign_pin_label, self.sign_pin, self.sign_tries, self.sign_card)
        self._sign_counters = UNKNOWN_COUNTERS
        self._preparing = False  # Start pressed with the signature test: the tries being read
        services.card.status_read.connect(self._card_status_read)

        self.progress = QProgressBar()
        self.progress.setRange(0, len(ALL_CHECKS))
        self.progress.setValue(0)
        self.progress.setAccessibleName(self.tr("Progress of the operation check"))
        self._show_progress(0, len(ALL_CHECKS))

        self.summary = QLabel(self.tr("Press Start to run the operation check."))
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.summary.setTextInteractionFlags(SELECTABLE_TEXT)
        self.summary.setAccessibleName(self.tr("Summary"))
        self.codes = QLabel()
        self.codes.setWordWrap(True)
        self.codes.setTextInteractionFlags(SELECTABLE_TEXT)
        self.codes.setAccessibleName(self.tr("Codes to tell the helpdesk"))
        self.codes.hide()
        # Which card the results are about (with two cards in, it matters).
        self.examined = QLabel()
        self.examined.setWordWrap(True)
        self.examined.setTextInteractionFlags(SELECTABLE_TEXT)
        self.examined.setAccessibleName(self.tr("Card checked"))
        self.examined.hide()
        self.banner = Banner()

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Result"), self.tr("Code"), self.tr("Details"), self.tr("Time")]
        )
        self.table.setAccessibleName(self.tr("Results of the operation check"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in (STATUS_COLUMN, CODE_COLUMN, TIME_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setAccessibleName(self.tr("What the selected result means"))
        self.details.setPlaceholderText(
            self.tr("Select a row to see what it means and what to do.")
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.sign_test)
        layout.addWidget(self.sign_card)
        layout.addLayout(sign_row)
        layout.addWidget(self.sign_note)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.codes)
        layout.addWidget(self.examined)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        for first, second in (
            (self.start_button, self.sign_test),
            (self.sign_test, self.sign_pin),
            (self.sign_pin, self.cancel_button),
            (self.cancel_button, self.copy_button),
            (self.copy_button, self.save_button),
            (self.save_button, self.table),
            (self.table, self.details),
        ):
            QWidget.setTabOrder(first, second)
        self._set_running(False)
        self._sign_test_toggled(False)

    def _button(self, text: str, accessible_name: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible_name)
        return button

    def on_shown(self) -> None:
        if self.run is None:
            self.start_button.setFocus()
        if self.sign_test.isChecked() and not self.running and not self._preparing:
            self._read_sign_counter()  # read again whenever the page is opened

    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.ended

    # --- Start and stop ---------------------------------------------------------------------

    def start(self) -> None:
        """Start a run on a thread of its own; the rows follow as the results come."""
        if self.running or self._preparing:
            return
        if self.sign_test.isChecked():
            self._start_with_signature_test()
            return
        self._begin(None, False, self.services.card.card_choice)

    def _begin(
        self,
        pin: SecretBuffer | None,
        last_try_confirmed: bool,
        choice: CardChoice,
        signature_card: ExpectedNumber | None = None,
    ) -> None:
        """Start a run that examines the chosen card (`choice`; without one, of several
        cards the first GoSign card, the others noted). `signature_card` is the card named
        beside the signature test's PIN when it was typed."""
        self._last_run_id += 1
        context = CheckContext(
            self.services.settings.current,
            self.services.card.blocking_access(),
            reader_filter=reader_filter_from_env(),
            card_choice=choice,
            lang=self.services.lang,
            signature_pin=pin,
            signature_last_try_confirmed=last_try_confirmed,
            signature_card=signature_card,
        )
        checks = (*ALL_CHECKS, SIGNATURE_TEST) if pin is not None else tuple(ALL_CHECKS)
        runner = CheckRunner(checks, context)
        run = CheckRun(self._last_run_id, context, checks, signature_pin=pin)
        self.run, self.report = run, None
        self._stopper.cancel = context.cancel
        self.table.setRowCount(0)
        self.details.clear()
        self.banner.hide()
        self.codes.hide()
        self.examined.hide()
        self.progress.setRange(0, len(checks))
        self.progress.setValue(0)
        self._show_progress(0, len(checks))
        self._set_summary(self.tr("Checking…"))
        self._set_running(True)
        # A daemon: a check stuck past its bound must never keep the program from ending.
        threading.Thread(
            target=run_checks,
            args=(runner, run.run_id, self._channel),
            name=f"operation-check-{run.run_id}",
            daemon=True,
        ).start()

    # --- G14's PIN -----------------------------------------------------------------------------

    def _sign_test_toggled(self, on: bool) -> None:
        for widget in self._sign_widgets:
            widget.setVisible(on)
        self.sign_note.clear_error()
        empty_secret(self.sign_pin)
        if on:
            self._show_sign_counter(UNKNOWN_COUNTERS, reading=True)
            self._read_sign_counter()

    def _card_status_read(self, status: CardStatus) -> None:
        # The card changed, or was read again: a PIN typed for the old state goes.
        if not self.running and not self._preparing:
            empty_secret(self.sign_pin)
        if status.problem is not None and status.pin is None:
            self._sign_counter_failed(status.problem)
        else:
            self._show_sign_counter(Counters(status.pin, status.unlock, status.reader, status.info))

    def _show_sign_counter(self, counters: Counters, *, reading: bool = False) -> None:
        self._sign_counters = counters
        pin = counters.pin
        self._show_sign_card(counters)
        # The count is read before every entry: no count, no entry.
        self.sign_pin.setEnabled(pin is not None and not pin.blocked)
        if pin is None:
            self.sign_tries.setText(
                self.tr("Reading the PIN's tries…")
                if reading
                else self.tr("The PIN's tries are not known yet: insert the card.")
            )
        elif pin.blocked:
            self.sign_tries.setText(self.tr("The PIN is locked: unlock it on the PIN page first."))
        elif pin.tries_left <= LOW_TRIES_WARNING:
            self.sign_tries.setText(
                self.tr(
                    "▲ Only %1 tries left: if you are not sure of the PIN, do not run it."
                ).replace("%1", str(pin.tries_left))
            )
        else:
            self.sign_tries.setText(
                self.tr("PIN tries left: %1 of %2")
                .replace("%1", str(pin.tries_left))
                .replace("%2", str(pin.max_tries))
            )

    def _show_sign_card(self, counters: Counters) -> None:
        info, reader = counters.info, counters.reader
        if reader is None:
            text = ""
        elif info is None:
            text = self.tr("Card: the card in the reader %1").replace("%1", reader)
        else:
            text = (
                self.tr("Card: %1  Holder: %2  (reader: %3)")
                .replace("%1", info.card_number_display)
                .replace("%2", info.holder)
                .replace("%3", reader)
            )
        self.sign_card.setText(text)
        self.sign_card.setVisible(self.sign_test.isChecked() and bool(text))

    def _counters_job(self) -> Callable[[ReaderBackend], Counters]:
        """Reads the tries of the card in use (the selector's): nothing is spent."""
        choice = self.services.card.card_choice
        return lambda backend: read_counters(backend, reader_filter_from_env(), choice)

    def _read_sign_counter(self) -> None:
        """Read the PIN's tries now (status-only VERIFY: nothing is spent)."""
        self.sign_pin.setEnabled(False)
        self.services.card.run_job(
            self._counters_job(),
            self._show_sign_counter,
            lambda error: self._sign_counter_failed(error),
            owner=self,
        )

    def _sign_counter_failed(self, error: BaseException) -> None:
        self._show_sign_counter(UNKNOWN_COUNTERS)
        self.sign_tries.setText(self.services.describe(error))

    def _start_with_signature_test(self) -> None:
        """Take the typed PIN (the field is emptied at once), read the tries again, and only
        then start: the count is read right before the PIN can be used."""
        self.sign_note.clear_error()
        typed = self.sign_pin.text()
        empty_secret(self.sign_pin)
        known = self._sign_counters.pin
        if not typed:
            blocked = known is not None and known.blocked
            self.sign_note.show_error(
                self.sign_tries.text()
                if blocked or known is None
                else self.tr("Type the PIN for the signature test.")
            )
            return
        buffer = SecretBuffer.from_text(typed)
        del typed
        # The card named beside the field when the PIN was typed.
        typed_for = (self._sign_counters.reader, self._sign_counters.card_number)
        self._preparing = True
        self.start_button.setEnabled(False)

        def counted(counters: Counters) -> None:
            self._preparing = False
            self.start_button.setEnabled(True)
            self._show_sign_counter(counters)
            if (counters.reader, counters.card_number) != typed_for:
                buffer.wipe()
                self.sign_note.show_error(
                    self.tr(
                        "The card changed, so the PIN was cleared and nothing was sent. Check"
                        " the card named above and type the PIN again."
                    )
                )
                return
            self._begin_after_count(buffer, counters)

        def failed(error: BaseException) -> None:
            self._preparing = False
            self.start_button.setEnabled(True)
            buffer.wipe()
            self._sign_counter_failed(error)
            self.sign_note.show_error(self.services.describe(error))

        future = self.services.card.run_job(self._counters_job(), counted, failed, owner=self)
        if future is None:
            buffer.wipe()

    def _begin_after_count(self, buffer: SecretBuffer, counters: Counters) -> None:
        pin = counters.pin
        if pin is None or pin.blocked:
            buffer.wipe()
            self.sign_note.show_error(self.sign_tries.text())
            return
        confirmed = False
        if pin.tries_left == 1:
            answer = QMessageBox.question(
                self,
                self.tr("Last PIN try"),
                self.tr(
                    "Only one PIN try is left. A wrong PIN now locks the card, and only the"
                    " helpdesk's unlock code opens it again. Run the signature test anyway?"
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                buffer.wipe()
                return
            confirmed = True
        # The whole run examines the card whose tries were just read, and G14 sends the PIN
        # only to it (its number is compared inside the signature's transaction).
        self._begin(
            buffer,
            confirmed,
            CardChoice(counters.card_number, counters.reader),
            expected_number(counters.info),
        )

    def cancel(self) -> None:
        """Ask the run to stop; what has not finished comes back as not checked."""
        run = self.run
        if run is None or run.ended:
            return
        run.cancelled = True
        run.context.cancel.set()
        self.cancel_button.setEnabled(False)
        self._set_summary(self.tr("Stopping the check…"))

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.sign_test.setEnabled(not running)
        self.sign_pin.setReadOnly(running)
        self.cancel_button.setEnabled(running)
        self.copy_button.setEnabled(not running and self.report is not None)
        self.save_button.setEnabled(not running and self.report is not None)

    # --- What the runner's thread sends (on the GUI thread) ---------------------------------

    def _current(self, run_id: int) -> CheckRun | None:
        run = self.run
        if run is None or run.run_id != run_id or run.ended:
            log.debug("dropped news of an earlier operation check run (%s)", run_id)
            return None
        return run

    @Slot(int, object)
    def _result_arrived(self, run_id: int, result: CheckResult) -> None:
        run = self._current(run_id)
        if run is None:
            return
        self._add_result(run, result)

    def _add_result(self, run: CheckRun, result: CheckResult) -> None:
        if result.code in run.results:
            return
        run.results[result.code] = result
        # Rows stay in the checks' order (G01, G02 …) while they arrive in any order.
        order = run.order(result.code)
        row = 0
        while row < self.table.rowCount() and run.order(self._row_code(row)) < order:
            row += 1
        self.table.insertRow(row)
        for column, item in enumerate(self._row_items(result)):
            self.table.setItem(row, column, item)
        self.progress.setValue(len(run.results))
        self._show_progress(len(run.results), len(run.checks))

    def _row_items(self, result: CheckResult) -> list[QTableWidgetItem]:
        colour, symbol = status_style(result.status)
        word = self.services.messages.text(f"check.status.{result.status.value}")
        status = QTableWidgetItem(f"{symbol} {word}")
        status.setForeground(QColor(colour))
        status.setData(Qt.ItemDataRole.AccessibleTextRole, word)
        if result.status in PROBLEMS:
            font = QFont(status.font())
            font.setBold(True)
            status.setFont(font)
        code = QTableWidgetItem(result.code)
        code.setData(Qt.ItemDataRole.UserRole, result.code)
        title = QTableWidgetItem(result.title)
        title.setToolTip(result.detail)
        elapsed = QTableWidgetItem(self.tr("%1 ms").replace("%1", str(result.elapsed_ms)))
        elapsed.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items = [status, code, title, elapsed]
        for item in items:
            item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
        return items

    def _row_code(self, row: int) -> str:
        item = self.table.item(row, CODE_COLUMN)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    @Slot(int, object)
    def _run_ended(self, run_id: int, results: list[CheckResult]) -> None:
        run = self._current(run_id)
        if run is None:
            return
        for result in results:  # every result came as it finished; this only makes sure
            self._add_result(run, result)
        self._finish(run, results)

    @Slot(int, str)
    def _run_failed(self, run_id: int, error_name: str) -> None:
        run = self._current(run_id)
        if run is None:
            return
        self._finish(run, [run.results[c.code] for c in run.checks if c.code in run.results])
        self.banner.show_message(
            "error",
            self.tr(
                "The operation check stopped unexpectedly (%1). Run it again; if this happens"
                " again, tell the helpdesk."
            ).replace("%1", error_name),
        )

    def _finish(self, run: CheckRun, results: Sequence[CheckResult]) -> None:
        run.ended = True
        if run.signature_pin is not None:
            run.signature_pin.wipe()
            self.services.card.refresh_status()  # the PIN was used: the tries may differ
        self._stopper.cancel = None
        report = CheckReport.of_run(results, run.context)
        self.report = report
        messages = self.services.messages
        counts = report.counts()
        if counts["fail"]:
            status = CheckStatus.FAIL
        elif counts["warn"]:
            status = CheckStatus.WARN
        else:
            status = CheckStatus.OK
        summary = report.summary(messages)
        if run.cancelled:
            stopped = self.tr("The check was stopped before the end.")
            summary = f"{stopped} {summary}"
        self._set_summary(summary, status)
        codes = report.codes_to_tell(messages)
        if codes:
            self.codes.setText(
                self.tr("Codes to tell the helpdesk: %1").replace("%1", " ".join(codes))
            )
            self.codes.show()
        else:
            self.codes.hide()
        self._show_examined(report)
        self._set_running(False)
        if not self.table.selectedItems():
            self._select_first_problem()

    def _show_examined(self, report: CheckReport) -> None:
        if report.card_number is None:
            self.examined.hide()
            return
        text = self.tr("Card checked: %1").replace("%1", report.card_number)
        if report.other_cards:
            others = self.tr("Other cards inserted: %1").replace(
                "%1", ", ".join(report.other_cards)
            )
            text = f"{text}  ({others})"
        self.examined.setText(text)
        self.examined.show()

    def _select_first_problem(self) -> None:
        for row in range(self.table.rowCount()):
            result = self._result_at(row)
            if result is not None and result.status in PROBLEMS:
                self.table.selectRow(row)
                return

    def _set_summary(self, text: str, status: CheckStatus | None = None) -> None:
        if status is None:
            self.summary.setText(text)
            self.summary.setStyleSheet("font-size: 12pt; font-weight: bold;")
        else:
            colour, symbol = status_style(status)
            self.summary.setText(f"{symbol} {text}")
            self.summary.setStyleSheet(f"font-size: 12pt; font-weight: bold; color: {colour};")
        self.summary.setAccessibleDescription(text)

    def _show_progress(self, done: int, total: int) -> None:
        text = self.tr("%1 of %2 checks finished").replace("%1", str(done))
        text = text.replace("%2", str(total))
        self.progress.setFormat(text)
        self.progress.setAccessibleDescription(text)

    # --- The selected row -------------------------------------------------------------------

    def _result_at(self, row: int) -> CheckResult | None:
        if self.run is None:
            return None
        return self.run.results.get(self._row_code(row))

    def selected_result(self) -> CheckResult | None:
        rows = self.table.selectionModel().selectedRows()
        return self._result_at(rows[0].row()) if rows else None

    def _show_selected(self) -> None:
        result = self.selected_result()
        if result is None:
            self.details.clear()
            return
        self.details.setHtml(self._explanation_html(result))

    def _explanation_html(self, result: CheckResult) -> str:
        messages = self.services.messages
        e = html.escape
        colour, symbol = status_style(result.status)
        word = messages.text(f"check.status.{result.status.value}")
        known = {k: v for k, v in result.facts.items() if isinstance(v, str | int | float)}
        explanation = Catalogue(self.services.lang).explain(result.code, known)
        code = messages.text("check.code", code=result.code)
        # Texts for the translators stay outside f-strings: lupdate does not look inside.
        result_label = self.tr("Result")
        parts = [
            f"<h3><span style='color:{colour}'>{e(symbol)} {e(word)}</span>"
            f" &nbsp; {e(code)} &nbsp; {e(result.title)}</h3>",
            f"<p><b>{e(result_label)}:</b> {e(result.detail)}</p>",
        ]
        if result.remedy:
            what_to_do = self.tr("What to do")
            parts.append(f"<p><b>{e(what_to_do)}:</b> {e(result.remedy)}</p>")
        if explanation is not None and explanation.meaning:
            meaning = self.tr("What it means")
            parts.append(f"<p><b>{e(meaning)}:</b> {e(explanation.meaning)}</p>")
        return "\n".join(parts)

    # --- For the helpdesk -------------------------------------------------------------------

    def helpdesk_text(self) -> str:
        """A short text to paste or read out: the summary, the codes, one line per problem."""
        report = self.report
        if report is None:
            return ""
        messages = self.services.messages
        t = messages.text
        lines = [f"{t('check.report_title')} {report.generated_at:%Y-%m-%d %H:%M}"]
        if self.run is not None and self.run.cancelled:
            lines.append(self.tr("The check was stopped before the end."))
        lines.append(report.summary(messages))
        codes = report.codes_to_tell(messages)
        if codes:
            lines.append(" ".join(codes))
        if report.card_number:
            lines.append(f"{t('check.card_number')}: {report.card_number}")
        if report.other_cards:
            lines.append(f"{t('check.other_cards')}: {', '.join(report.other_cards)}")
        lines += [
            format_result_lines(result, messages)[0]
            for result in report.results
            if result.status in PROBLEMS
        ]
        return "\n".join(lines) + "\n"

    def copy_for_helpdesk(self) -> None:
        if self.report is None:
            return
        QGuiApplication.clipboard().setText(self.helpdesk_text())
        self.banner.show_message(
            "ok", self.tr("Copied. Paste it into your message to the helpdesk.")
        )

    def save_report(self) -> None:
        """Ask where, then write the report (HTML or JSON) off the GUI thread."""
        report = self.report
        if report is None:
            return
        html_filter = self.tr("Web page (*.html)")
        json_filter = self.tr("JSON for scripts (*.json)")
        suggested = Path.home() / f"ndnclient-check-{report.generated_at:%Y%m%d-%H%M}.html"
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the report"),
            str(suggested),
            f"{html_filter};;{json_filter}",
        )
        if not chosen:
            return
        path = Path(chosen)
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".json"):
            suffix = ".json" if chosen_filter == json_filter else ".html"
            path = path.with_name(path.name + suffix)
        messages = self.services.messages

        def write() -> Path:
            write_report(path, report, messages)
            return path

        self.save_button.setEnabled(False)
        self.services.tasks.run(write, self._report_saved, self._report_not_saved, owner=self)

    def _report_saved(self, path: Path) -> None:
        self.save_button.setEnabled(not self.running and self.report is not None)
        self.banner.show_message(
            "ok", self.tr("The report was saved to %1.").replace("%1", str(path))
        )

    def _report_not_saved(self, error: BaseException) -> None:
        self.save_button.setEnabled(not self.running and self.report is not None)
        if isinstance(error, ReportWriteError):
            log.info("the report could not be saved: %s", error)
        else:
            log.error("saving the report failed", exc_info=error)
        self.banner.show_message("error", self.services.describe(error))
