"""Dates as people in Japan type them: 2027-04-30, 2027/4/30, 20270430, 2027年4月30日, and in the
Japanese calendar R9.4.30, R09.04.30, 令和9年4月30日, 令和元年5月1日, H31.4.30, 平成31年4月30日.
Full-width characters (２０２７／４／３０, Ｒ９, ㋿) count as their ordinary forms.

One parser for every place that reads a typed date (the command line's options); a date it
cannot take is a `DateInputError` with a sentence that says what is wrong, never a bare
ValueError. Standard library only: the window may use it too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ndnclient.errors import UserFacingError


class DateInputError(UserFacingError):
    """A typed date that is not one; `message_key` names what is wrong (the `date_input` block of
    the message catalogue), `params` hold the text and the numbers read from it."""

    def __init__(self, message_key: str, text: str, **params: object) -> None:
        super().__init__(f"not a date: {message_key}", text=text, **params)
        self.message_key = message_key


@dataclass(frozen=True)
class Era:
    key: str  # the catalogue's name for it (date_input.<key>_...)
    first: date
    last: date | None  # None: the present era


REIWA = Era("reiwa", date(2019, 5, 1), None)
HEISEI = Era("heisei", date(1989, 1, 8), date(2019, 4, 30))
ERAS = {"R": REIWA, "令和": REIWA, "H": HEISEI, "平成": HEISEI}

# After NFKC and with spaces removed. ISO's hyphens keep its two-digit month and day (a
# shorter form is more likely a slip than a date); the forms people write by hand do not.
_WESTERN = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
    re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"),
    re.compile(r"(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})"),
    re.compile(r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日?"),
)
_JAPANESE = (
    re.compile(
        r"(?P<era>令和|平成|[RH])(?P<year>\d{1,2}|元)[./-](?P<month>\d{1,2})[./-](?P<day>\d{1,2})"
    ),
    re.compile(
        r"(?P<era>令和|平成|[RH])(?P<year>\d{1,2}|元)年(?P<month>\d{1,2})月(?P<day>\d{1,2})日?"
    ),
)
MAX_TEXT = 40  # longer is not a date; nothing longer is read (or quoted back in full)


def parse_date(text: str) -> date:
    """The date `text` names, or DateInputError with the reason."""
    quoted = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    if len(text) > MAX_TEXT:
        raise DateInputError("date_input.unreadable", quoted)
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    for pattern in _WESTERN:
        found = pattern.fullmatch(normal)
        if found:
            year, month, day = (int(found[name]) for name in ("year", "month", "day"))
            return _calendar_day(quoted, year, month, day)
    for pattern in _JAPANESE:
        found = pattern.fullmatch(normal)
        if found:
            return _era_day(quoted, ERAS[found["era"]], found["year"], found["month"], found["day"])
    raise DateInputError("date_input.unreadable", quoted)


def _calendar_day(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError(
            "date_input.no_such_day", text, year=year, month=month, day=day
        ) from None


def _era_day(text: str, era: Era, year_text: str, month_text: str, day_text: str) -> date:
    era_year = 1 if year_text == "元" else int(year_text)
    month, day = int(month_text), int(day_text)
    # 令和1年 is written 令和元年.
    numbers = {"era_year": era_year, "era_year_ja": "元" if era_year == 1 else era_year}
    numbers |= {"month": month, "day": day}
    if era_year == 0:
        raise DateInputError(f"date_input.{era.key}_before_start", text, **numbers)
    western = _calendar_day(text, era.first.year + era_year - 1, month, day)
    if western < era.first:
        raise DateInputError(f"date_input.{era.key}_before_start", text, **numbers)
    if era.last is not None and western > era.last:
        raise DateInputError(f"date_input.{era.key}_after_end", text, **numbers)
    return western
