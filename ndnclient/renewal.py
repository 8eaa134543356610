"""Renewal planning, as the issuer's FAQ times it.

- A renewal's recommended validity starts 30 days before the current one ends, counting the
  last day: valid to 2021-04-30 → renewal valid from 2021-04-01.
- The issuer sends its notice about one month before expiry; the client reminds from then,
  and recommends starting the application one month before expiry.
- The card is delivered within 10 business days after the application is received. Business
  days are Japanese: no weekends, no national holidays (from the maintained `holidays`
  library, substitute holidays included), and not 12/29–1/3.
- A first application's validity should start on the first day of real use, a test period
  included.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays

from ndnclient.settings.cards import SWITCHING_DAYS

NOTICE_MONTHS = 1
DELIVERY_BUSINESS_DAYS = 10


@cache
def _national_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=year)


def _year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date) -> bool:
    return (
        day.weekday() < 5
        and day not in _national_holidays(day.year)
        and not (_year_end_closure(day))
    )


def business_days_after(start: date, count: int) -> date:
    """The `count`-th business day after `start` (`start` itself does not count)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to that month's last day
    (one month before 3/31 is 2/28, or 2/29 in a leap year)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class RenewalPlan:
    valid_to: date
    remind_from: date
    apply_by: date
    renewal_valid_from: date
    received: date
    latest_delivery: date

    @property
    def delivered_before_expiry(self) -> bool:
        """Whether a card applied for on `received` arrives while the current one is valid."""
        return self.latest_delivery <= self.valid_to

    def reminder_due(self, today: date) -> bool:
        return self.remind_from <= today <= self.valid_to

    def to_json(self) -> dict[str, Any]:
        return {
            "valid_to": self.valid_to.isoformat(),
            "remind_from": self.remind_from.isoformat(),
            "apply_by": self.apply_by.isoformat(),
            "renewal_valid_from": self.renewal_valid_from.isoformat(),
            "received": self.received.isoformat(),
            "latest_delivery": self.latest_delivery.isoformat(),
            "delivered_before_expiry": self.delivered_before_expiry,
        }


def plan_renewal(valid_to: date, received: date | None = None) -> RenewalPlan:
    """The plan for a card valid to `valid_to` (inclusive). `received` is the day the
    issuer receives the application; by default the recommended `apply_by`."""
    apply_by = months_before(valid_to, NOTICE_MONTHS)
    received = received or apply_by
    return RenewalPlan(
        valid_to=valid_to,
        remind_from=months_before(valid_to, NOTICE_MONTHS),
        apply_by=apply_by,
        renewal_valid_from=valid_to - timedelta(days=SWITCHING_DAYS - 1),
        received=received,
        latest_delivery=business_days_after(received, DELIVERY_BUSINESS_DAYS),
    )


def first_valid_from(first_use: date, test_period_start: date | None = None) -> date:
    """A first application's validity start: the first day of real use, or of the test
    period before it."""
    return min(first_use, test_period_start) if test_period_start else first_use
