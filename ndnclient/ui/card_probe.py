"""「カードの情報を調べる（PINは使いません）」: a read-only look at the inserted card (see
ndnclient/card/probe.py), saved as JSON for the helpdesk.

Offered where a user meets a card the client does not recognise: ホーム for an unknown card,
and the operation check's G03 "not a GoSign card" row. The page places `button` and shows the
sentence `finished` gives in its own message area."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from ndnclient.card.connection import ReaderBackend
from ndnclient.card.probe import CardProbe, probe_inserted_card, write_probe_report
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.ui.services import Services

DEFAULT_FILE_NAME = "ndnclient-card-probe.json"


class CardProbeAction(QObject):
    """The button, and what it does: probe on the card thread, ask where to save, write the
    JSON on the task thread, then one sentence on `finished`. Nothing is said when the user
    cancels the save dialog (nothing was saved, nothing went wrong)."""

    finished = Signal(str, str)  # the banner kind ("ok", "warn", "error") and the sentence

    def __init__(self, services: Services, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.services = services
        self.parent_widget = parent_widget
        self.label = self.tr("Look at the card's information (no PIN used)")
        self.button = QPushButton(self.label, parent_widget)
        self.button.setAccessibleName(self.label)
        self.button.setToolTip(
            self.tr(
                "Only reads the card: no PIN is sent and nothing on the card is changed. The"
                " result is saved as a file for the helpdesk."
            )
        )
        self.running = False
        self._reader: str | None = None
        self.button.clicked.connect(lambda: self.start(self._reader))

    def set_reader(self, reader: str | None) -> None:
        """The reader a click looks at (None: the only inserted card)."""
        self._reader = reader

    def start(self, reader: str | None) -> None:
        if self.running:
            return
        self._set_running(True)
        name_filter = reader_filter_from_env()

        def probe(backend: ReaderBackend) -> CardProbe:
            return probe_inserted_card(backend, reader, name_filter)

        self.services.card.run_job(probe, self._probed, self._failed, owner=self)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.button.setEnabled(not running)
        self.button.setText(self.tr("Looking at the card…") if running else self.label)

    def _probed(self, probe: CardProbe) -> None:
        suggested = self._default_folder() / DEFAULT_FILE_NAME
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent_widget,
            self.tr("Save the card's information"),
            str(suggested),
            self.tr("JSON file (*.json)"),
        )
        if not chosen:
            self._set_running(False)  # cancelled: nothing saved, nothing to tell
            return
        path = Path(chosen)
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        partial = probe.error is not None

        def write() -> Path:
            write_probe_report(path, probe)
            return path

        self.services.tasks.run(
            write, lambda saved: self._saved(saved, partial), self._failed, owner=self
        )

    def _saved(self, path: Path, partial: bool) -> None:
        self._set_running(False)
        if partial:
            # The card stopped answering (or was pulled) partway: what came before is still
            # what the helpdesk needs, above all from a card that goes mute at one command.
            text = self.tr(
                "Part of the card's information was saved: %1 (the card stopped answering or"
                " was taken out partway). Send this file to the helpdesk. It holds no PIN; it"
                " holds the certificate's name and card number, so treat it as personal data."
            )
            self.finished.emit("warn", text.replace("%1", str(path)))
            return
        text = self.tr(
            "The card's information was saved: %1. Send this file to the helpdesk. It holds no"
            " PIN; it holds the certificate's name and card number, so treat it as personal"
            " data."
        )
        self.finished.emit("ok", text.replace("%1", str(path)))

    def _failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.finished.emit("error", self.services.describe(error))

    @staticmethod
    def _default_folder() -> Path:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents else Path.home()
