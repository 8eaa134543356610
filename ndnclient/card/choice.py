"""Which card a command acts on when more than one may be inserted.

In a renewal's switching period the old and the new GoSign card are both valid, and a PC may
have two readers, so two GoSign cards can be in at once. A PIN sent to the wrong one spends
that card's try, which is no explicit submit of the user's. So a PIN command acts on a card
only when it is the one candidate, or the one the user chose by number or by reader; it never
picks one of several on its own (docs/card-choice.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ndnclient.card.errors import (
    CardChoiceNeededError,
    ChosenCardNotFoundError,
    NotGoSignCardError,
)
from ndnclient.card.info import format_card_number
from ndnclient.card.session import CardType

if TYPE_CHECKING:  # (at run time only its attributes are read: no cryptography at import)
    from ndnclient.card.status import CardStatus


@dataclass(frozen=True)
class CardChoice:
    """The user's choice: a card number (16 digits), a reader (its exact name or a part of
    it), both, or neither (then only a lone candidate may be used)."""

    card_number: str | None = None
    reader: str | None = None

    @property
    def made(self) -> bool:
        return self.card_number is not None or self.reader is not None

    def describe(self) -> str:
        """The choice as the user gave it, for sentences."""
        parts = []
        if self.card_number is not None:
            parts.append(format_card_number(self.card_number))
        if self.reader is not None:
            parts.append(self.reader)
        return " / ".join(parts)

    def matching(self, cards: Sequence[CardStatus]) -> list[CardStatus]:
        """The cards that fit the choice. A reader is matched by its exact name first (two
        readers may differ only in their last digit), else by a part of it."""
        found = list(cards)
        if self.reader is not None:
            wanted = self.reader.casefold()
            exact = [c for c in found if c.reader is not None and c.reader.casefold() == wanted]
            found = exact or [
                c for c in found if c.reader is not None and wanted in c.reader.casefold()
            ]
        if self.card_number is not None:
            found = [
                c for c in found if c.info is not None and c.info.card_number == self.card_number
            ]
        return found


NO_CHOICE = CardChoice()


def may_be_gosign(card: CardStatus) -> bool:
    """A GoSign card, or a card that could not be asked (held by another program, mute): it
    may be the user's GoSign card, so it counts when deciding whether a choice is needed."""
    if card.card_type is CardType.GOSIGN:
        return True
    return card.card_type is CardType.UNKNOWN and not isinstance(card.problem, NotGoSignCardError)


def card_label(card: CardStatus) -> str:
    """A card in a list, in any language: its number, or its reader when unread."""
    if card.info is not None:
        return card.info.card_number_display
    return f"({card.reader})"


def listing(cards: Sequence[CardStatus]) -> str:
    return ", ".join(card_label(card) for card in cards)


def choose_card(
    cards: Sequence[CardStatus],
    choice: CardChoice = NO_CHOICE,
    name_filter: str | None = None,
) -> CardStatus:
    """The one card a command acts on, from the inserted `cards` (a survey's, non-empty; of
    the readers `name_filter` left, if it was given).

    Raises ChosenCardNotFoundError when the choice fits no inserted card, and
    CardChoiceNeededError when several cards may be GoSign cards and the choice does not
    narrow them to one. With no GoSign card at all, the first card is returned: its own
    problem says why it cannot be used (a My Number card ...)."""
    if not cards:
        raise ValueError("choose_card needs the inserted cards")
    if choice.made:
        matching = choice.matching(cards)
        if not matching:
            raise ChosenCardNotFoundError(
                choice.describe(), listing(cards), cards, reader_filter=name_filter
            )
    else:
        matching = list(cards)
    candidates = [card for card in matching if may_be_gosign(card)]
    if len(candidates) > 1:
        raise CardChoiceNeededError(candidates, listing(candidates))
    return candidates[0] if candidates else matching[0]
