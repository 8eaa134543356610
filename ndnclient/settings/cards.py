"""Registered cards and the renewal switching period.

A renewed card's validity starts 30 days before the current card's ends (the issuer's FAQ);
for those days both cards are valid, both are registered, and the one in the reader is the
active one. Once the old card's validity is over, so is its switching period, and its entry
can be removed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ndnclient.card.info import card_year, parse_card_number
from ndnclient.settings.errors import (
    CardExpiredError,
    CardInSwitchingPeriodError,
    CardNotRegisteredError,
    InvalidValueError,
)

KEY = "cards"
CARD_NUMBER_DIGITS = 16
SWITCHING_DAYS = 30


def normalize_card_number(text: str, *, key: str = KEY) -> str:
    """16 digits, as printed (4-4-4-4), typed with spaces or in full-width digits."""
    digits = parse_card_number(text, CARD_NUMBER_DIGITS)
    if digits is None:
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
        if not (card_year(card.valid_from) and card_year(card.valid_to)):
            raise InvalidValueError("validity outside a card's years", key=KEY, reason="card_entry")
        return card

    def expired(self, today: date) -> bool:
        return self.valid_to < today


def is_renewal_of(new: RegisteredCard, old: RegisteredCard) -> bool:
    """True when `new` takes over from `old`: it starts after `old` did, no later than the
    day after `old` ends, and lasts longer. The FAQ recommends a start 30 days before the
    end; a card started earlier is still the renewal."""
    # A difference of dates, not a sum: no date arithmetic at the calendar's end can overflow.
    return (
        old.valid_from < new.valid_from
        and (new.valid_from - old.valid_to).days <= 1
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

    The same number updates its entry. No card that is still valid is ever removed: during
    a renewal's switching period both cards stay registered. Entries whose validity has
    ended (their switching period, if any, is over) are removed and reported. An expired
    card cannot be registered.
    """
    if new.expired(today):
        raise CardExpiredError(
            f"{new.card_number} expired on {new.valid_to}",
            card_number=new.card_number,
            valid_to=new.valid_to.isoformat(),
        )
    existing = next((c for c in cards if c.card_number == new.card_number), None)
    if existing is not None and not new.label:
        new = replace(new, label=existing.label)
    others = [c for c in cards if c.card_number != new.card_number]
    kept = [c for c in others if not c.expired(today)]
    removed = tuple(c for c in others if c.expired(today))
    ordered = tuple(sorted([*kept, new], key=lambda c: c.valid_from))
    return Registration(ordered, new, existing is not None, removed)


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
