"""「使用するカード」: the card selector, shown only while more than one card that may be a
GoSign card is inserted (the renewal period: the old and the new card).

Every page acts on the card chosen here (CardBridge.card_choice). Until the user chooses,
none does: the PIN page and the signature test stay closed, so a PIN never goes to a card
the user did not pick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ndnclient.card.choice import CardChoice, may_be_gosign
from ndnclient.card.status import CardStatus, CardSurvey
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner

if TYPE_CHECKING:
    from ndnclient.card.operations import Counters


class CardSelector(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.cards: list[CardStatus] = []
        label = QLabel(self.tr("Card in &use:"))
        label.setStyleSheet("font-weight: bold;")
        self.combo = QComboBox()
        self.combo.setAccessibleName(self.tr("Card in use"))
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(self.combo)
        self.combo.activated.connect(self._chosen)
        self.banner = Banner()
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.banner)
        services.card.cards_read.connect(self._cards_read)
        if services.card.survey is not None:
            self._cards_read(services.card.survey)
        else:
            self.hide()

    def _cards_read(self, survey: CardSurvey) -> None:
        self.cards = [card for card in survey.cards if may_be_gosign(card)]
        if len(self.cards) < 2:
            self.hide()
            return
        needed = self.services.card.choice_needed
        in_use = self.services.card.last_status
        self.combo.clear()
        if needed:
            self.combo.addItem(self.tr("Choose the card to use…"), None)
        for position, card in enumerate(self.cards):
            self.combo.addItem(self._label(card), position)
        current = 0
        if not needed and in_use is not None:
            current = next(
                (i for i, card in enumerate(self.cards) if card.reader == in_use.reader), 0
            )
        self.combo.setCurrentIndex(current)
        if needed:
            self.banner.show_message(
                "warn",
                self.tr(
                    "%1 cards are inserted. Choose the card to use. Until you do, no PIN is"
                    " sent to any card."
                ).replace("%1", str(len(self.cards))),
            )
        else:
            self.banner.hide()
        self.show()

    def _label(self, card: CardStatus) -> str:
        info = card.info
        if info is None:
            return self.tr("A card that could not be read (reader: %1)").replace(
                "%1", card.reader or ""
            )
        # The old and the new card have the same holder: the validity tells them apart too.
        return (
            self.tr("%1  %2  valid until %3  (reader: %4)")
            .replace("%1", info.card_number_display)
            .replace("%2", info.holder)
            .replace("%3", str(info.valid_to))
            .replace("%4", card.reader or "")
        )

    def _chosen(self, index: int) -> None:
        position = self.combo.itemData(index)
        if not isinstance(position, int):
            return  # the "choose" line
        card = self.cards[position]
        number = card.info.card_number if card.info is not None else None
        self.services.card.select(CardChoice(card_number=number, reader=card.reader))


def target_card_text(counters: Counters) -> str:
    """The card a PIN goes to, as the PIN page and the signature test (G14) name it before
    anything is sent; "" while no card has been read."""
    info, reader = counters.info, counters.reader
    if reader is None:
        return ""
    if info is None:
        return QCoreApplication.translate(
            "CardSelector", "Card: the card in the reader %1"
        ).replace("%1", reader)
    return (
        QCoreApplication.translate("CardSelector", "Card: %1  Holder: %2  (reader: %3)")
        .replace("%1", info.card_number_display)
        .replace("%2", info.holder)
        .replace("%3", reader)
    )
