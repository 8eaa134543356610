"""動作確認 (the operation check) page: start and cancel, a row for each check the moment it
finishes, what each result means and what to do, and the report for the helpdesk. The run
itself is `run.py`, the signature test's form `signature_form.py`."""

from __future__ import annotations

import dataclasses
import html
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ndnclient.diagnostics.catalogue import Catalogue, code_label
from ndnclient.diagnostics.model import CheckResult, CheckStatus
from ndnclient.diagnostics.report import (
    CheckReport,
    ReportWriteError,
    helpdesk_text,
    in_japan,
    write_report,
)
from ndnclient.ui.card_probe import CardProbeAction
from ndnclient.ui.pages.check.run import CheckRun, RunChannel, StopOnClose, check_count, start_run
from ndnclient.ui.pages.check.signature_form import SignatureRequest, SignatureTestForm
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import (
    SELECTABLE_TEXT,
    Banner,
    status_style,
)

log = logging.getLogger(__name__)

# The time each check took is for the helpdesk (the report and the JSON), not the table.
STATUS_COLUMN, CODE_COLUMN, TITLE_COLUMN = range(3)
PROBLEMS = (CheckStatus.FAIL, CheckStatus.WARN)
# Outcomes that mean no card was there to check: a state, not a fault.
NO_CARD_OUTCOMES = ("no_card", "card_removed")


class TakesWhatIsLeft(QWidget):
    """Asks the page for no more than its minimum height. The page's scroll area sizes the
    page by what its parts ask for (the wrapped texts make it), so the results, which
    scroll inside themselves, must not ask for more: they take the height that is left."""

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


class CheckPage(QWidget):
    # A page of the window a result's remedy names ("user_info", "urls", ...): the window
    # shows it (a page never imports another page).
    open_page = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.run: CheckRun | None = None
        self.report: CheckReport | None = None
        self._last_run_id = 0
        self._stopper = StopOnClose()
        self.destroyed.connect(self._stopper.stop)
        self._channel = RunChannel(QCoreApplication.instance())
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
        self.signature = SignatureTestForm(services)

        self.progress = QProgressBar()
        self.progress.setRange(0, check_count(with_signature_test=False))
        self.progress.setValue(0)
        self.progress.setAccessibleName(self.tr("Progress of the operation check"))
        self._show_progress(0, check_count(with_signature_test=False))

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

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Result"), self.tr("Code"), self.tr("Details")]
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
        for column in (STATUS_COLUMN, CODE_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setAccessibleName(self.tr("What the selected result means"))
        self.details.setPlaceholderText(
            self.tr("Select a row to see what it means and what to do.")
        )
        # The remedy's page, one click away ("Open the Allowed URL list page").
        self.open_page_button = QPushButton()
        self.open_page_button.clicked.connect(self._open_remedy_page)
        self.open_page_button.hide()
        self._remedy_page: str | None = None
        # G03 found a card it does not recognise: a read-only look (no PIN) for the helpdesk.
        self.probe = CardProbeAction(services, self)
        self.probe.finished.connect(self.banner.show_message)
        self.probe.button.hide()
        explanation = QWidget()
        explanation_layout = QVBoxLayout(explanation)
        explanation_layout.setContentsMargins(0, 0, 0, 0)
        explanation_layout.addWidget(self.details, 1)
        remedy_row = QHBoxLayout()
        remedy_row.addWidget(self.open_page_button)
        remedy_row.addWidget(self.probe.button)
        remedy_row.addStretch(1)
        explanation_layout.addLayout(remedy_row)
        # The table takes the height the page has left and scrolls inside it: small minimums,
        # so that the page itself never needs a scroll bar of its own at the usual sizes.
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() * 4)
        self.details.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(explanation)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        results = TakesWhatIsLeft()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(splitter)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.signature)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.codes)
        layout.addWidget(self.examined)
        layout.addWidget(self.banner)
        layout.addWidget(results, 1)
        for first, second in (
            (self.start_button, self.signature.checkbox),
            (self.signature.checkbox, self.signature.pin),
            (self.signature.pin, self.cancel_button),
            (self.cancel_button, self.copy_button),
            (self.copy_button, self.save_button),
            (self.save_button, self.table),
            (self.table, self.details),
            (self.details, self.open_page_button),
            (self.open_page_button, self.probe.button),
        ):
            QWidget.setTabOrder(first, second)
        self._set_running(False)

    def _button(self, text: str, accessible_name: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible_name)
        return button

    def on_shown(self) -> None:
        if self.run is None:
            self.start_button.setFocus()
        if not self.running:
            self.banner.hide()  # "Copied", "Saved": news of an earlier visit
        self.signature.on_shown()

    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.ended

    # --- Start and stop ---------------------------------------------------------------------

    @property
    def preparing(self) -> bool:
        """Start was pressed with the signature test: the tries are being read again."""
        return self.signature.preparing

    def start(self) -> None:
        """Start a run on a thread of its own; the rows follow as the results come."""
        if self.running or self.preparing:
            return
        if self.signature.wanted:
            self.start_button.setEnabled(False)
            self.signature.take(self._begin, lambda: self.start_button.setEnabled(not self.running))
            return
        self._begin(None)

    def _begin(self, signature: SignatureRequest | None) -> None:
        self._last_run_id += 1
        run = start_run(
            self.services,
            self._last_run_id,
            self._channel,
            self.services.card.card_choice,
            signature,
        )
        checks = run.checks
        self.run, self.report = run, None
        self._stopper.cancel = run.context.cancel
        self.table.setRowCount(0)
        self.details.clear()
        self._offer_page(None)
        self._offer_probe(None)
        self.banner.hide()
        self.codes.hide()
        self.examined.hide()
        self.progress.setRange(0, len(checks))
        self.progress.setValue(0)
        self._show_progress(0, len(checks))
        self._set_summary(self.tr("Checking…"))
        self._set_running(True)

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
        self.signature.set_running(running)
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
        self._insert_row(run, result)
        self.progress.setValue(len(run.results))
        self._show_progress(len(run.results), len(run.checks))

    def _insert_row(self, run: CheckRun, result: CheckResult) -> None:
        # Rows stay in the checks' order (G01, G02 …) while they arrive in any order.
        order = run.order(result.code)
        row = 0
        while row < self.table.rowCount() and run.order(self._row_code(row)) < order:
            row += 1
        self.table.insertRow(row)
        for column, item in enumerate(self._row_items(result)):
            self.table.setItem(row, column, item)

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
        # 「動作確認エラー:G04」 for a failure only; 「確認コード:G10」 for every other row.
        code = QTableWidgetItem(code_label(self.services.messages, result.code, result.status))
        code.setData(Qt.ItemDataRole.UserRole, result.code)
        title = QTableWidgetItem(result.title)
        title.setToolTip(result.detail)
        items = [status, code, title]
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
        self.report = CheckReport.of_run(results, run.context, demo=self.services.demo is not None)
        self._show_report(run, self.report)

    def _show_report(self, run: CheckRun, report: CheckReport) -> None:
        """The summary, the codes to tell and the card checked, for a run that has ended."""
        messages = self.services.messages
        counts = report.counts()
        no_card = any(r.outcome in NO_CARD_OUTCOMES for r in report.results)
        if counts["fail"]:
            status = CheckStatus.FAIL
        elif counts["warn"]:
            status = CheckStatus.WARN
        elif no_card or counts["skipped"]:
            status = CheckStatus.SKIPPED  # nothing wrong was found, but not all was checked
        else:
            status = CheckStatus.OK
        summary = report.summary(messages)
        if no_card and not run.cancelled:
            # Outside the f-string: lupdate does not look inside one.
            no_card_note = self.tr("No card is inserted, so the card was not checked.")
            summary = f"{no_card_note} {summary}"
        if run.cancelled:  # the same sentence as in the helpdesk text and the CLI's
            summary = f"{messages.text('check.stopped')} {summary}"
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

    def carry_results_from(self, earlier: CheckPage) -> None:
        """Show the results of `earlier` (this page in the window before a language switch),
        their texts rendered again in this page's language: a switch loses nothing."""
        run, report = earlier.run, earlier.report
        if run is None or report is None or not run.ended or self.running:
            return
        selected = earlier.selected_result()
        catalogue = Catalogue(self.services.lang)
        results = [catalogue.rerender(result, window=True) for result in report.results]
        carried = CheckRun(
            run.run_id,
            run.context,
            run.checks,
            {result.code: result for result in results},
            cancelled=run.cancelled,
            ended=True,
        )
        self.run, self.report = carried, dataclasses.replace(report, results=results)
        self.table.setRowCount(0)
        for result in results:
            self._insert_row(carried, result)
        self.progress.setRange(0, len(run.checks))
        self.progress.setValue(len(results))
        self._show_progress(len(results), len(run.checks))
        self._show_report(carried, self.report)
        self._set_running(False)
        codes = [self._row_code(row) for row in range(self.table.rowCount())]
        if selected is not None and selected.code in codes:
            self.table.selectRow(codes.index(selected.code))
        else:
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
            self._offer_page(None)
            self._offer_probe(None)
            return
        self.details.setHtml(self._explanation_html(result))
        page = None
        if result.remedy:
            page = Catalogue(self.services.lang).page_to_open(result.code, result.outcome)
        self._offer_page(page)
        self._offer_probe(result)

    def _page_titles(self) -> dict[str, str]:
        """The pages a remedy may name, as the menu names them."""
        return {
            "home": self.tr("Home"),
            "user_info": self.tr("User info settings"),
            "pin": self.tr("PIN"),
            "urls": self.tr("Allowed URL list"),
        }

    def _offer_page(self, page: str | None) -> None:
        title = self._page_titles().get(page or "")
        self._remedy_page = page if title is not None else None
        if title is None:
            self.open_page_button.hide()
            return
        text = self.tr("Open the “%1” page").replace("%1", title)
        self.open_page_button.setText(text)
        self.open_page_button.setAccessibleName(text)
        self.open_page_button.show()

    def _offer_probe(self, result: CheckResult | None) -> None:
        """The look at the card, for G03's "not a GoSign card" only: a card that answered
        but is not one the client knows."""
        if result is None or (result.code, result.outcome) != ("G03", "not_gosign"):
            self.probe.button.hide()
            return
        self.probe.set_reader(self._examined_reader(result))
        self.probe.button.show()

    def _examined_reader(self, result: CheckResult) -> str | None:
        """The reader of the card the check examined: the result's own facts, else G02's
        (which chose it); None, the only inserted card, when neither names one."""
        sources = [result.facts]
        if self.run is not None and "G02" in self.run.results:
            sources.append(self.run.results["G02"].facts)
        for facts in sources:
            reader = facts.get("reader")
            if isinstance(reader, str) and reader:
                return reader
        return None

    def _open_remedy_page(self) -> None:
        if self._remedy_page is not None:
            self.open_page.emit(self._remedy_page)

    def _explanation_html(self, result: CheckResult) -> str:
        messages = self.services.messages
        e = html.escape
        colour, symbol = status_style(result.status)
        word = messages.text(f"check.status.{result.status.value}")
        known = {k: v for k, v in result.facts.items() if isinstance(v, str | int | float)}
        explanation = Catalogue(self.services.lang).explain(result.code, known)
        code = code_label(messages, result.code, result.status)
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
        """A short text to paste or read out (the same as the command line's)."""
        if self.report is None:
            return ""
        stopped = self.run is not None and self.run.cancelled
        return helpdesk_text(self.report, self.services.messages, stopped=stopped)

    def copy_for_helpdesk(self) -> None:
        if self.report is None:
            return
        QGuiApplication.clipboard().setText(self.helpdesk_text())
        self.banner.show_message(
            "ok", self.tr("Copied. Paste it into your message to the helpdesk.")
        )

    def save_report(self) -> None:
        """Ask where, then write the report (HTML, text or JSON) off the GUI thread."""
        report = self.report
        if report is None:
            return
        by_filter = {
            self.tr("Web page (*.html)"): ".html",
            self.tr("Text (*.txt)"): ".txt",
            self.tr("JSON for scripts (*.json)"): ".json",
        }
        when = in_japan(report.generated_at)  # the name says the time the report says
        suggested = Path.home() / f"ndnclient-check-{when:%Y%m%d-%H%M}.html"
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the report"), str(suggested), ";;".join(by_filter)
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".html", ".htm", ".txt", ".json"):
            path = path.with_name(path.name + by_filter.get(chosen_filter, ".html"))
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
