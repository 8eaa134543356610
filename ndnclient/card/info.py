"""CARD_INFO: the card number, holder and validity the card carries (docs/card-profile.md)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from ndnclient.card.errors import MalformedResponseError
from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile
from ndnclient.card.tlv import parse_sequence, read_tlv

# The first and last years a card's validity may fall in (see `card_year`).
CARD_YEARS = (1900, 9998)


@dataclass(frozen=True)
class CardInfo:
    card_number: str
    holder: str
    valid_from: date
    valid_to: date  # inclusive, Japan time
    profile_version: int | None

    @property
    def card_number_display(self) -> str:
        """The number as printed on the card: 4-4-4-4."""
        return format_card_number(self.card_number)


def format_card_number(number: str) -> str:
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


def parse_card_number(text: str, digits: int = GOSIGN_PROFILE.card_number_digits) -> str | None:
    """The card number as the card stores it (16 ASCII digits) from what a person typed:
    4-4-4-4 as printed, with spaces, or in full-width digits. None when it is not one."""
    number = unicodedata.normalize("NFKC", text).replace("-", "").replace(" ", "")
    if len(number) != digits or not (number.isascii() and number.isdigit()):
        return None
    return number


def parse_card_info(data: bytes, profile: GoSignProfile = GOSIGN_PROFILE) -> CardInfo:
    """Decode CARD_INFO. Unknown tags inside it are skipped, as the profile says."""
    outer, _ = read_tlv(data)  # bytes after the object (file padding) are ignored
    if outer.tag != profile.tag_card_info:
        raise MalformedResponseError(
            f"CARD_INFO starts with tag {outer.tag:X}, not {profile.tag_card_info:X}",
            field="card_info",
        )
    fields: dict[int, bytes] = {}
    for item in parse_sequence(outer.value):
        fields.setdefault(item.tag, item.value)

    def required(tag: int, name: str) -> bytes:
        if tag not in fields:
            raise MalformedResponseError(f"CARD_INFO lacks {name} (tag {tag:X})", field=name)
        return fields[tag]

    number = _ascii(required(profile.tag_card_number, "card_number"), "card_number")
    if len(number) != profile.card_number_digits or not number.isdigit():
        raise MalformedResponseError(
            f"card number is not {profile.card_number_digits} digits", field="card_number"
        )
    try:
        holder = required(profile.tag_holder, "holder").decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedResponseError("holder name is not UTF-8", field="holder") from None
    valid_from = _date(required(profile.tag_valid_from, "valid_from"), "valid_from")
    valid_to = _date(required(profile.tag_valid_to, "valid_to"), "valid_to")
    if valid_to < valid_from:
        raise MalformedResponseError("validity ends before it starts", field="valid_to")
    version_bytes = fields.get(profile.tag_profile_version)
    version = version_bytes[0] if version_bytes and len(version_bytes) == 1 else None
    return CardInfo(number, holder.strip(), valid_from, valid_to, version)


def _ascii(value: bytes, field: str) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedResponseError(f"{field} is not ASCII", field=field) from None


def card_year(day: date) -> bool:
    """True for a year a card's validity can have. Dates at the calendar's ends (0001-01-01,
    9999-12-31) would overflow the day arithmetic of renewal plans and checks."""
    return CARD_YEARS[0] <= day.year <= CARD_YEARS[1]


def _date(value: bytes, field: str) -> date:
    text = _ascii(value, field)
    if len(text) != 8 or not text.isdigit():
        raise MalformedResponseError(f"{field} is not YYYYMMDD", field=field)
    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise MalformedResponseError(f"{field} is not a calendar date", field=field) from None
    if not card_year(day):
        raise MalformedResponseError(f"{field} is out of any card's years", field=field)
    return day
