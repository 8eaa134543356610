"""ホーム: the reader and the card at a glance, kept current without a button."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ndnclient.card.status import CardStatus
from ndnclient.messages import Messages


class HomePage(QWidget):
    def __init__(self, messages: Messages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._messages = messages
        t = messages.text
        self.problem = QLabel(t("gui.waiting"))
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(t("gui.problem_label"))
        self.reader = QLabel()
        self.card_type = QLabel()
        self.card_number = QLabel()
        self.holder = QLabel()
        self.validity = QLabel()
        self.pin_tries = QLabel()
        form = QFormLayout(self)
        form.addRow(self.problem)
        for key, label in (
            ("status.reader", self.reader),
            ("status.card_type", self.card_type),
            ("status.card_number", self.card_number),
            ("status.holder", self.holder),
            ("status.validity", self.validity),
            ("status.pin_tries", self.pin_tries),
        ):
            label.setAccessibleName(t(key))
            form.addRow(t(key), label)

    def show_status(self, status: CardStatus) -> None:
        t = self._messages.text
        none = t("status.none")
        self.reader.setText(status.reader or none)
        self.card_type.setText(t(status.card_type_key))
        info = status.info
        self.card_number.setText(info.card_number_display if info else none)
        self.holder.setText(info.holder if info else none)
        if info is None:
            self.validity.setText(none)
        else:
            days_left = status.days_left() or 0
            key = "status.validity_value" if days_left > 0 else "status.validity_expired"
            self.validity.setText(
                t(key, valid_from=info.valid_from, valid_to=info.valid_to, days_left=days_left)
            )
        self.pin_tries.setText(
            t(
                "status.tries_value",
                tries_left=status.pin.tries_left,
                max_tries=status.pin.max_tries,
            )
            if status.pin
            else none
        )
        self.problem.setText(self._messages.describe(status.problem) if status.problem else "")
        self.problem.setVisible(status.problem is not None)
