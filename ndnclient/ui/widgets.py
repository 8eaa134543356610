"""Small widgets the pages share: banners, field notes, the look of a check's status."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QWidget,
)

from ndnclient.diagnostics.model import CheckStatus
from ndnclient.diagnostics.report import STATUS_STYLE

# A banner's kind: a symbol and a colour each, so the meaning never rests on colour alone.
# Text a user may need to copy (a sentence with its code): by mouse, and by keyboard for
# those who do not use one (the label then takes focus with Tab).
SELECTABLE_TEXT = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)

BANNER_STYLE = {
    "info": ("ℹ", "#174ea6", "#e8f0fe"),
    "warn": ("▲", "#8a4b00", "#fef7e0"),
    "error": ("✖", "#a50e0e", "#fce8e6"),
    "ok": ("✔", "#0d652d", "#e6f4ea"),
    # Stronger than "warn", short of "error": one try left before a lock (red, thick border).
    "critical": ("⚠", "#a50e0e", "#fde3df"),
}
# Kinds drawn with a thicker border than the usual 1 px, so they stand out from the others.
BANNER_BORDER_WIDTH = {"critical": 2}


class Banner(QFrame):
    """A one-line notice with an optional button, hidden until `show_message`."""

    action = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.symbol = QLabel()
        self.text = QLabel()
        # A sentence may quote what was typed or read from outside (a URL, a file name): it is
        # shown as it is, never taken as markup (Qt would render "<b>…" as rich text).
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(SELECTABLE_TEXT)
        self.button = QPushButton()
        self.button.clicked.connect(self.action)
        self.kind = ""
        layout = QHBoxLayout(self)
        layout.addWidget(self.symbol, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, kind: str, text: str, button: str | None = None) -> None:
        symbol, colour, background = BANNER_STYLE[kind]
        self.kind = kind
        self.setStyleSheet(
            f"Banner {{ background: {background};"
            f" border: {BANNER_BORDER_WIDTH.get(kind, 1)}px solid {colour};"
            f" border-radius: 4px; }} QLabel {{ color: {colour}; }}"
        )
        self.symbol.setText(symbol)
        self.text.setText(text)
        self.setAccessibleName(text)
        self.button.setVisible(button is not None)
        if button is not None:
            self.button.setText(button)
        self.show()


class FieldNote(QLabel):
    """The validation message that sits right under a field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what was typed: never markup
        self.setWordWrap(True)
        self.setStyleSheet("color: #a50e0e;")
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(f"✖ {text}")
        self.setAccessibleName(text)
        self.show()

    def clear_error(self) -> None:
        self.clear()
        self.hide()


def ask(parent: QWidget, title: str, text: str, *, default_yes: bool = False) -> bool:
    """A yes/no question whose text may quote what was typed: shown as plain text (the static
    QMessageBox.question would take a typed "<b>…" as markup). Enter gives the default."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(
        QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    )
    return box.exec() == QMessageBox.StandardButton.Yes


def secret_field(accessible_name: str) -> QLineEdit:
    """A masked field that no IME, completer or undo history keeps a PIN or password in
    (QLineEdit has no completer unless one is set, and none is)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    # An IME would turn digits full-width (and keep a conversion history).
    field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText
        | Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhNoAutoUppercase
    )
    field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    field.setAccessibleName(accessible_name)
    return field


def empty_secret(field: QLineEdit) -> None:
    field.clear()
    # clear() keeps the removed characters in the undo history; setText drops the history.
    field.setText("")


def status_style(status: CheckStatus) -> tuple[str, str]:
    """A check status's colour and symbol (the same as the reports')."""
    return STATUS_STYLE[status]


def scrolling(content: QWidget) -> QScrollArea:
    """`content` in a frameless scroll area: the one part of a page that scrolls, so that the
    page's title and its buttons stay in view in a small window or at 150 % scale."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


class DeleteKey(QObject):
    """The Delete key on a list or table runs `remove` (which asks before it removes): the
    keyboard does what the page's 削除 button does."""

    def __init__(self, view: QWidget, remove: Callable[[], None]) -> None:
        super().__init__(view)
        self.remove = remove
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self.remove()
            return True
        return super().eventFilter(watched, event)
