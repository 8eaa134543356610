"""証明書ツール: a CSR for a server (SSL) or e-mail (S/MIME) certificate with the CA FAQ's
rules checked before anything is made, and a certificate inspector for files and the card.

The rules are the core's (ndnclient.pki.csr); each broken one is shown under its own field.
The key is generated, encrypted and written on the task thread; the pass phrase fields are
emptied the moment the button is pressed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSizeF, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.access import open_gosign_session
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.fileio import NewFileError
from ndnclient.pki import csr as tools
from ndnclient.pki import csr_rules as rules
from ndnclient.pki.certinfo import (
    Pkcs12PasswordNeeded,
    certificate_lines,
    inspect_card_certificate,
    inspect_file,
    read_certificate_file,
)
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import (
    Banner,
    FieldNote,
    empty_secret,
    scrolling,
    secret_field,
)

FIELDS = ("cn", "o", "ou", "l", "st", "c", "san")


def _label_for(text: str, field: QWidget) -> QLabel:
    """A form label whose Alt+letter goes to `field` (a row given as a layout has none)."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _column(*widgets: QWidget) -> QVBoxLayout:
    column = QVBoxLayout()
    for widget in widgets:
        column.addWidget(widget)
    return column


class CsrForm(QWidget):
    """CSRを作る: kind, names, key, files, pass phrase; the notes under the fields. The form
    scrolls in the tab (the tab's one scroll area); the result shows at its top, scrolled to."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Web server certificate (SSL)"), "web")
        self.kind.addItem(self.tr("EV certificate (organisation)"), "ev")
        self.kind.addItem(self.tr("E-mail certificate (S/MIME)"), "email")
        self.kind.setAccessibleName(self.tr("Kind of certificate"))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind_help = QLabel()
        self.kind_help.setWordWrap(True)
        self.entries: dict[str, QLineEdit] = {}
        self.notes: dict[str, FieldNote] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        # Help and notes sit in their field's column: a hidden note takes no room (an empty
        # form row would leave a gap).
        form.addRow(_label_for(self.tr("&Kind"), self.kind), _column(self.kind, self.kind_help))
        for name in FIELDS:
            entry = QLineEdit()
            note = FieldNote()
            entry.textEdited.connect(lambda _, note=note: self._edited(note))
            label = QLabel()
            label.setBuddy(entry)
            column = QVBoxLayout()
            column.addWidget(entry)
            column.addWidget(note)
            form.addRow(label, column)
            self.entries[name], self.notes[name], self.labels[name] = entry, note, label
        self.entries["c"].setText("JP")
        self.key_type = QComboBox()
        self.key_type.addItem("RSA 2048", "rsa2048")
        self.key_type.addItem("RSA 3072", "rsa3072")
        self.key_type.addItem("ECDSA P-256", "p256")
        self.key_type.setAccessibleName(self.tr("Key type"))
        form.addRow(self.tr("Ke&y"), self.key_type)
        self.ascii_only = QCheckBox(self.tr("ASCII only (for servers that cannot take Japanese)"))
        form.addRow("", self.ascii_only)
        self.legal_name = QCheckBox(
            self.tr("O is the legal name (a company's registered name), not a nickname (通称)")
        )
        self.legal_note = FieldNote()
        form.addRow("", _column(self.legal_name, self.legal_note))
        self.key_path = QLineEdit()
        self.key_path.setAccessibleName(self.tr("Private key file"))
        self.csr_path = QLineEdit()
        self.csr_path.setAccessibleName(self.tr("CSR file"))
        self.files_note = FieldNote()
        form.addRow(
            _label_for(self.tr("Private key &file"), self.key_path),
            self._with_browse(self.key_path, "key.pem"),
        )
        form.addRow(
            _label_for(self.tr("&CSR file"), self.csr_path),
            _column(self._with_browse(self.csr_path, "csr.pem"), self.files_note),
        )
        self.passphrase = secret_field(self.tr("Pass phrase for the private key"))
        self.passphrase_again = secret_field(self.tr("The pass phrase again"))
        self.passphrase_note = FieldNote()
        form.addRow(self.tr("&Pass phrase"), self.passphrase)
        form.addRow(
            _label_for(self.tr("Pass phrase &again"), self.passphrase_again),
            _column(self.passphrase_again, self.passphrase_note),
        )
        self.create_button = QPushButton(self.tr("Create the key and the CSR"))
        self.create_button.clicked.connect(self.make_files)
        for field in (self.key_path, self.csr_path):
            field.textEdited.connect(lambda _: self._edited(self.files_note))
        for field in (self.passphrase, self.passphrase_again):
            field.textEdited.connect(lambda _: self._edited(self.passphrase_note))
        self.legal_name.toggled.connect(lambda _: self._edited(self.legal_note))
        self.kind.currentIndexChanged.connect(lambda _: self._edited(None))
        self.key_type.currentIndexChanged.connect(lambda _: self._edited(None))
        self.banner = Banner()
        # The result: at the top, in the page's one scroll area. It is as tall as its text (no
        # second scroll bar) and wraps anywhere: a fingerprint has no spaces to break at.
        self.summary = QTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setAcceptRichText(False)
        self.summary.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.summary.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.summary.document().documentLayout().documentSizeChanged.connect(self._fit_summary)
        self.summary.setAccessibleName(self.tr("Summary to check against the application form"))
        self.summary.hide()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        create_row = QHBoxLayout()
        create_row.addStretch(1)
        create_row.addWidget(self.create_button)
        layout.addLayout(create_row)
        layout.addStretch(1)
        self.scroll_area = scrolling(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.busy = False
        self._kind_changed()

    def _fit_summary(self, size: QSizeF) -> None:
        frame = 2 * self.summary.frameWidth()
        self.summary.setFixedHeight(math.ceil(size.height()) + frame)

    def _edited(self, note: FieldNote | None) -> None:
        """An edit makes the field's note and an error stale. The result of the last attempt
        stays until the next one: the user compares its summary with the application form,
        often while correcting a field or after a look at another page."""
        if note is not None:
            note.clear_error()
        self._hide_stale_error()

    def clear_messages(self) -> None:
        """On leaving the page: an error is old news; the last result stays (see `_edited`)."""
        self._hide_stale_error()

    def _hide_stale_error(self) -> None:
        if not self.busy and self.banner.kind == "error":
            self.banner.hide()

    def _with_browse(self, entry: QLineEdit, suggestion: str) -> QWidget:
        button = QPushButton(self.tr("Browse…"))
        button.setAccessibleName(entry.accessibleName() + " " + self.tr("Browse…"))

        def browse() -> None:
            chosen, _ = QFileDialog.getSaveFileName(self, entry.accessibleName(), suggestion)
            if chosen:
                entry.setText(chosen)

        button.clicked.connect(browse)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(entry, 1)
        layout.addWidget(button)
        return row

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        hints = {
            "cn": self.tr("CN: the site's FQDN")
            if kind != "email"
            else self.tr("CN: the party's or person's name"),
            "o": {
                "web": self.tr("O: legal name (person) or name (company)"),
                "ev": self.tr("O: registered name of the company"),
                "email": self.tr("O: name of the person or organisation"),
            }[kind],
            "ou": self.tr("OU (optional)"),
            "l": self.tr("L: city"),
            "st": self.tr("ST: prefecture"),
            "c": self.tr("C: country code"),
            "san": self.tr("SAN: more FQDNs")
            if kind != "email"
            else self.tr("SAN: e-mail addresses"),
        }
        # Each field is named as the summary names it (the catalogue's name: 「O（組織名）」);
        # what goes in it for this kind of certificate is its tooltip and accessible name.
        field_name = self.services.messages.text
        for name, hint in hints.items():
            self.labels[name].setText(field_name(f"csr.field.{name}"))
            self.labels[name].setToolTip(hint)
            self.entries[name].setToolTip(hint)
            self.entries[name].setAccessibleName(hint)
        self.entries["cn"].setPlaceholderText("www.example.jp" if kind != "email" else "認証党")
        self.entries["o"].setPlaceholderText(
            {
                "web": self.tr("legal name (person) or name (company)"),
                "ev": self.tr("registered name of the company"),
                "email": self.tr("name of the person or organisation"),
            }[kind]
        )
        self.entries["san"].setPlaceholderText(
            self.tr("separate with commas") if kind != "email" else "info@example.jp"
        )
        self.kind_help.setText(
            {
                "web": self.tr(
                    "For a website: CN is the site's address (FQDN); O is the holder's legal"
                    " name (an individual's name as registered, never a nickname)."
                ),
                "ev": self.tr(
                    "Extended validation: CN is the site's FQDN; O is the organisation's"
                    " registered name, as in the commercial register."
                ),
                "email": self.tr(
                    "For signing e-mail: CN is the party's or person's name; the SAN holds the"
                    " e-mail address the certificate is for."
                ),
            }[kind]
        )

    def _clear_notes(self) -> None:
        for note in (*self.notes.values(), self.legal_note, self.files_note, self.passphrase_note):
            note.clear_error()
        self.banner.hide()
        self.summary.hide()  # an earlier result is not this attempt's

    def _show_first_problem(self) -> None:
        """After a refused attempt: the first field with a note in view, with the focus."""
        fields: list[tuple[FieldNote, QWidget]] = [
            *((self.notes[name], self.entries[name]) for name in FIELDS),
            (self.legal_note, self.legal_name),
            (self.files_note, self.key_path),
            (self.passphrase_note, self.passphrase),
        ]
        for note, field in fields:
            if not note.isHidden():
                self.scroll_area.ensureWidgetVisible(note)
                field.setFocus()
                return

    def request(self) -> rules.CsrRequest:
        text = {name: self.entries[name].text() for name in FIELDS}
        san = tuple(
            part.strip() for part in text["san"].replace("、", ",").split(",") if part.strip()
        )
        return rules.CsrRequest(
            kind=rules.CsrKind(self.kind.currentData()),
            cn=text["cn"],
            o=text["o"],
            ou=text["ou"] or None,
            l=text["l"] or None,
            st=text["st"] or None,
            c=text["c"],
            san=san,
            key_type=rules.KeyType(self.key_type.currentData()),
            ascii_only=self.ascii_only.isChecked(),
        )

    def make_files(self) -> None:
        """Check everything here (fast, no I/O); make the key and files on the task thread."""
        if self.busy:
            return
        self._clear_notes()
        passphrase = bytearray(self.passphrase.text().encode("utf-8"))
        again = bytearray(self.passphrase_again.text().encode("utf-8"))
        empty_secret(self.passphrase)
        empty_secret(self.passphrase_again)
        messages = self.services.messages
        t = messages.text
        problems = False
        try:
            checked = rules.check_request(self.request())
        except rules.CsrInputError as error:
            for problem in error.problems:
                field = t(f"csr.field.{problem.field}")
                self.notes[problem.field].show_error(
                    t(f"csr.problem.{problem.key}", field=field, **problem.params)
                )
            problems = True
            checked = None
        # The tick is the user's word that O is the legal name (the CLI's --o-is-legal-name);
        # without it, nothing is made, and a name that looks like a nickname is pointed out.
        if not self.legal_name.isChecked():
            marker = checked.o_nickname_marker if checked is not None else None
            if checked is not None and marker is not None:
                self.notes["o"].show_error(
                    t(
                        "csr.problem.nickname",
                        field=t("csr.field.o"),
                        value=checked.subject["o"],
                        part=marker,
                    )
                )
            self.legal_note.show_error(
                self.tr("Confirm that O is the legal name: the CA refuses a nickname.")
            )
            problems = True
        if passphrase != again:
            self.passphrase_note.show_error(t("csr.passphrase_mismatch"))
            problems = True
        elif not passphrase:
            self.passphrase_note.show_error(t("csr.passphrase_empty"))
            problems = True
        key_text, csr_text = self.key_path.text().strip(), self.csr_path.text().strip()
        if not key_text or not csr_text:
            self.files_note.show_error(self.tr("Choose where the key and the CSR go."))
            problems = True
        again[:] = bytes(len(again))
        if problems or checked is None:
            passphrase[:] = bytes(len(passphrase))
            self._show_first_problem()
            return
        try:
            key_path, csr_path = Path(key_text).resolve(), Path(csr_text).resolve()
        except (OSError, RuntimeError, ValueError) as error:  # a link loop, a NUL in a name
            detail = getattr(error, "strerror", None) or type(error).__name__
            path = f"{key_text} / {csr_text}"
            self.files_note.show_error(t("file.cannot_write", path=path, detail=detail))
            passphrase[:] = bytes(len(passphrase))
            self._show_first_problem()
            return
        if key_path == csr_path:
            self.files_note.show_error(t("csr.same_file", path=csr_path))
            passphrase[:] = bytes(len(passphrase))
            self._show_first_problem()
            return
        self.busy = True
        self.create_button.setEnabled(False)
        self.banner.show_message("info", self.tr("Making the key pair and the CSR…"))
        self.scroll_area.ensureVisible(0, 0)  # the banner, then the result, are at the top
        self.services.tasks.run(
            lambda: (checked, tools.make_key_and_csr(checked, passphrase, key_path, csr_path)),
            self._made,
            self._failed,
            owner=self,
        )

    def _finished(self) -> None:
        self.busy = False
        self.create_button.setEnabled(True)

    def _made(self, result: tuple[rules.CheckedRequest, tools.CsrFiles]) -> None:
        self._finished()
        messages = self.services.messages
        checked, made = result
        lines = tools.summary_lines(checked, made, messages)
        lines += ["・" + note for note in tools.note_lines(checked, messages)]
        self.summary.setPlainText("\n".join(lines))
        self.summary.show()
        self.banner.show_message("ok", messages.text("csr.summary_title"))
        self.scroll_area.ensureVisible(0, 0)  # the result in view, not below the form

    def _failed(self, error: BaseException) -> None:
        self._finished()
        if isinstance(error, NewFileError):
            self.files_note.show_error(self.services.describe(error))
            self.banner.hide()
            self._show_first_problem()
        else:
            self.banner.show_message("error", self.services.describe(error))
            self.scroll_area.ensureVisible(0, 0)


class CertificateViewer(QWidget):
    """証明書を確認: a file (PEM, DER, PKCS#12) or the card's certificate."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.path = QLineEdit()
        self.path.setAccessibleName(self.tr("Certificate file"))
        self.path.returnPressed.connect(self.show_file)
        browse = QPushButton(self.tr("Open…"))
        browse.setAccessibleName(self.tr("Open a certificate file"))
        browse.clicked.connect(self._browse)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setAccessibleName(self.tr("Show the file's certificate"))
        self.show_button.clicked.connect(self.show_file)
        self.card_button = QPushButton(self.tr("Show the IC card's certificate"))
        self.card_button.clicked.connect(self.show_card)
        self.password = secret_field(self.tr("PKCS#12 password"))
        self.password.setPlaceholderText(self.tr("only for a PKCS#12 file that has one"))
        self.banner = Banner()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Certificate details"))
        file_row = QHBoxLayout()
        file_label = QLabel(self.tr("&File"))
        file_label.setBuddy(self.path)
        file_row.addWidget(file_label)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        file_row.addWidget(self.show_button)
        password_row = QHBoxLayout()
        password_label = QLabel(self.tr("PKCS#12 pass&word"))
        password_label.setBuddy(self.password)
        password_row.addWidget(password_label)
        password_row.addWidget(self.password, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addLayout(password_row)
        layout.addWidget(self.card_button)
        layout.addWidget(self.banner)
        layout.addWidget(self.text, 1)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a certificate file"),
            "",
            self.tr("Certificates (*.pem *.crt *.cer *.der *.p12 *.pfx);;All files (*)"),
        )
        if chosen:
            self.path.setText(chosen)
            self.show_file()

    def show_file(self) -> None:
        typed = self.path.text().strip()
        if not typed:
            self.banner.show_message("info", self.tr("Choose a certificate file first (Open…)."))
            self.path.setFocus()
            return
        password = bytearray(self.password.text().encode("utf-8"))
        empty_secret(self.password)

        def work() -> list[dict[str, Any]]:
            try:
                data = read_certificate_file(Path(typed))
                return inspect_file(data, bytes(password) if password else None)
            finally:
                password[:] = bytes(len(password))

        self.banner.hide()
        self.services.tasks.run(work, self._show, self._failed, owner=self)

    def show_card(self) -> None:
        choice = self.services.card.card_choice  # the card in use (the selector's)

        def read(backend: ReaderBackend) -> bytes:
            session = open_gosign_session(backend, reader_filter_from_env(), choice=choice)
            try:
                return session.read_user_certificate()
            finally:
                session.connection.close()

        self.banner.hide()
        self.card_button.setEnabled(False)

        def done(der: bytes) -> None:
            self.card_button.setEnabled(True)
            self.services.tasks.run(
                lambda: inspect_card_certificate(der), self._show, self._failed, owner=self
            )

        def failed(error: BaseException) -> None:
            self.card_button.setEnabled(True)
            self._failed(error)

        self.services.card.run_job(read, done, failed, owner=self)

    def _show(self, documents: list[dict[str, Any]]) -> None:
        messages = self.services.messages
        lines: list[str] = []
        warnings = 0
        for index, document in enumerate(documents, start=1):
            if len(documents) > 1:
                lines.append(messages.text("cert.heading", index=index, count=len(documents)))
            lines += certificate_lines(document, messages)
            lines.append("")
            warnings += len(document["warnings"])
        self.text.setPlainText("\n".join(lines))
        if warnings:
            self.banner.show_message(
                "warn",
                self.tr("%1 point(s) break the rules: see Warnings.").replace("%1", str(warnings)),
            )
        else:
            self.banner.show_message("ok", messages.text("cert.no_warnings"))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, Pkcs12PasswordNeeded):
            self.banner.show_message("warn", self.services.describe(error))
            self.password.setFocus()
        else:
            self.banner.show_message("error", self.services.describe(error))
        self.text.clear()


class CertToolsPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Certificate tools"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Make the key and the certificate signing request (CSR) for a website or"
                " e-mail certificate, checked against the CA's rules before anything is made;"
                " or look inside a certificate."
            )
        )
        intro.setWordWrap(True)
        self.csr = CsrForm(services)
        self.viewer = CertificateViewer(services)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.csr, self.tr("Make a CSR"))
        self.tabs.addTab(self.viewer, self.tr("Look inside a certificate"))
        # The title and the tabs stay put; only a tab's content scrolls.
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)

    def on_shown(self) -> None:
        self.csr.clear_messages()

    @property
    def busy(self) -> bool:
        return self.csr.busy
