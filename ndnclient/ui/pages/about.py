"""バージョン情報: the version, where the settings and logs are, and a button that saves a
diagnostics file for the helpdesk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import ndnclient
from ndnclient.diagnostics.environment import write_diagnostics
from ndnclient.diagnostics.report import system_facts
from ndnclient.ui.errors import LOG_FILE_NAME
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import SELECTABLE_TEXT, Banner


class AboutPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        title = QLabel(self.tr("About"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        product = QLabel(self.tr("ndnclient — a client for GoSign IC-card certificates"))
        product.setWordWrap(True)
        self.banner = Banner()
        self.paths = {
            self.tr("Settings file"): str(services.settings_service.store.path),
            self.tr("IT policy file"): str(
                services.settings_service.policy.path or self.tr("none (not used on this PC)")
            ),
            self.tr("Log folder"): str(services.log_dir),
        }
        form = QFormLayout()
        form.addRow(self.tr("Version"), self._selectable(ndnclient.__version__))
        # platform.platform() can take a moment (a WMI query on Windows): asked off-thread.
        self.system = self._selectable("…")
        form.addRow(self.tr("System"), self.system)
        services.tasks.run(lambda: str(system_facts()["os_name"]), self._show_system, owner=self)
        for label, path in self.paths.items():
            form.addRow(label, self._selectable(path))
        self.save_button = QPushButton(self.tr("Save diagnostics…"))
        self.save_button.setAccessibleName(self.tr("Save diagnostics for the helpdesk"))
        self.save_button.clicked.connect(self.save_diagnostics)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(product)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def _show_system(self, text: str) -> None:
        self.system.setText(text)
        self.system.setAccessibleName(text)

    @staticmethod
    def _selectable(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(SELECTABLE_TEXT)
        label.setAccessibleName(text)
        label.setWordWrap(True)
        return label

    def save_diagnostics(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save diagnostics"),
            "ndnclient-diagnostics.json",
            self.tr("Diagnostics (*.json)"),
        )
        if not path:
            return
        status = self.services.card.last_status
        card = status.to_json() if status is not None else None
        settings = self.services.settings.current.values
        log_file = self.services.log_dir / LOG_FILE_NAME
        paths = dict(self.paths)

        def done(_: None) -> None:
            self.banner.show_message("ok", self.tr("Saved to %1.").replace("%1", path))

        self.services.tasks.run(
            lambda: write_diagnostics(
                Path(path), paths=paths, settings=settings, card=card, log_file=log_file
            ),
            done,
            lambda error: self.banner.show_message("error", self.services.describe(error)),
            owner=self,
        )
