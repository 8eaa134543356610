"""Registered cards and the renewal switching period.

A renewed card's validity starts 30 days before the current card's ends (the issuer's FAQ);
for those days both cards are valid, both may be registered, and the one in the reader is
the active one. Once the old card's validity is over, so is its switching period, and its
entry can be removed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from ndnclient.settings.errors import (
    CardInSwitchingPeriodError,
    CardNotRegisteredError,
    InvalidValueError,
)

KEY = "cards"
CARD_NUMBER_DIGITS = 16
SWITCHING_DAYS = 30


def normalize_card_number(text: str, *, key: str = KEY) -> str:
    """16 digits, as printed (4-4-4-4), typed with spaces or in full-width digits."""
    digits = unicodedata.normalize("NFKC", text).replace("-", "").replace(" ", "")
    if len(digits) != CARD_NUMBER_DIGITS or not (digits.isascii() and digits.isdigit()):
        raise InvalidValueError(
            f"{text!r} is not a card number", key=key, reason="card_number", value=text
        )
    return digits


@dataclass(frozen=True)
class RegisteredCard:
    card_number: str
    valid_from: date
    valid_to: date  # inclusive
    label: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "card_number": self.card_number,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "label": self.label,
        }

    @classmethod
    def from_json(cls, value: Any) -> RegisteredCard:
        if not isinstance(value, dict):
            raise InvalidValueError("a card entry is not an object", key=KEY, reason="card_entry")
        try:
            card = cls(
                card_number=normalize_card_number(str(value["card_number"])),
                valid_from=date.fromisoformat(str(value["valid_from"])),
                valid_to=date.fromisoformat(str(value["valid_to"])),
                label=str(value.get("label", "")).strip(),
            )
        except (KeyError, ValueError) as error:
            if isinstance(error, InvalidValueError):
                raise
            raise InvalidValueError(f"card entry: {error}", key=KEY, reason="card_entry") from None
        if card.valid_to < card.valid_from:
            raise InvalidValueError("validity ends before it starts", key=KEY, reason="card_entry")
        return card

    def expired(self, today: date) -> bool:
        return self.valid_to < today


def is_renewal_of(new: RegisteredCard, old: RegisteredCard) -> bool:
    """True when `new` starts inside the last 30 days of `old` (or the day after) and lasts
    longer: the shape of a renewal."""
    window_start = old.valid_to - timedelta(days=SWITCHING_DAYS - 1)
    return (
        window_start <= new.valid_from <= old.valid_to + timedelta(days=1)
        and new.valid_to > old.valid_to
    )


@dataclass(frozen=True)
class Registration:
    """What registering a card changed."""

    cards: tuple[RegisteredCard, ...]
    card: RegisteredCard
    already_registered: bool
    removed: tuple[RegisteredCard, ...]


def register(cards: tuple[RegisteredCard, ...], new: RegisteredCard, today: date) -> Registration:
    """Register `new` (read from the inserted card).

    The same number updates its entry. Another card stays registered only while it is in a
    switching period with `new` (one is the other's renewal, and the older one has not
    expired); any other entry is removed and reported, so at most the two cards of one
    renewal are registered.
    """
    existing = next((c for c in cards if c.card_number == new.card_number), None)
    if existing is not None and not new.label:
        new = replace(new, label=existing.label)
    kept: list[RegisteredCard] = []
    removed: list[RegisteredCard] = []
    for card in cards:
        if card.card_number == new.card_number:
            continue
        in_switching = (is_renewal_of(new, card) and not card.expired(today)) or (
            is_renewal_of(card, new) and not new.expired(today)
        )
        (kept if in_switching else removed).append(card)
    ordered = tuple(sorted([*kept, new], key=lambda c: c.valid_from))
    return Registration(ordered, new, existing is not None, tuple(removed))


def switching_until(card: RegisteredCard, cards: tuple[RegisteredCard, ...]) -> date | None:
    """The last day of `card`'s switching period, when another registered card renews it."""
    if any(is_renewal_of(other, card) for other in cards if other is not card):
        return card.valid_to
    return None


def unregister(
    cards: tuple[RegisteredCard, ...], card_number: str, today: date, *, force: bool = False
) -> tuple[RegisteredCard, ...]:
    """Remove a card's entry. The old card of a renewal stays until its switching period is
    over, unless `force` (a lost or revoked card)."""
    number = normalize_card_number(card_number)
    card = next((c for c in cards if c.card_number == number), None)
    if card is None:
        raise CardNotRegisteredError(f"{number} is not registered", card_number=number)
    until = switching_until(card, cards)
    if until is not None and today <= until and not force:
        raise CardInSwitchingPeriodError(
            f"{number} is in its switching period until {until}",
            card_number=number,
            until=until.isoformat(),
        )
    return tuple(c for c in cards if c.card_number != number)
