"""Card registration across a renewal, and renewal planning from the issuer's FAQ."""

from __future__ import annotations

from datetime import date

import pytest

from ndnclient.renewal import (
    business_days_after,
    first_valid_from,
    is_business_day,
    months_before,
    plan_renewal,
)
from ndnclient.settings.cards import (
    RegisteredCard,
    is_renewal_of,
    register,
    switching_until,
    unregister,
)
from ndnclient.settings.errors import (
    CardExpiredError,
    CardInSwitchingPeriodError,
    CardNotRegisteredError,
)

OLD = RegisteredCard("1111222233334444", date(2024, 5, 1), date(2026, 4, 30), "2024年度")
NEW = RegisteredCard("5555666677778888", date(2026, 4, 1), date(2028, 4, 30))
OTHER = RegisteredCard("9999000011112222", date(2026, 1, 10), date(2028, 1, 9))


def test_first_registration() -> None:
    outcome = register((), OLD, date(2025, 1, 1))
    assert outcome.cards == (OLD,)
    assert not outcome.already_registered


def test_same_card_again_updates_and_keeps_the_label() -> None:
    changed = RegisteredCard(OLD.card_number, OLD.valid_from, date(2026, 5, 31))
    outcome = register((OLD,), changed, date(2025, 1, 1))
    assert outcome.already_registered
    assert outcome.cards[0].valid_to == date(2026, 5, 31)
    assert outcome.cards[0].label == "2024年度"


def test_a_renewal_keeps_both_cards_for_the_switching_period() -> None:
    assert is_renewal_of(NEW, OLD)
    outcome = register((OLD,), NEW, date(2026, 4, 10))
    assert outcome.cards == (OLD, NEW)
    assert outcome.removed == ()


def test_the_old_card_registered_after_the_new_one_also_pairs() -> None:
    outcome = register((NEW,), OLD, date(2026, 4, 10))
    assert set(outcome.cards) == {OLD, NEW}


def test_a_valid_card_is_never_removed_by_a_registration() -> None:
    outcome = register((OLD,), OTHER, date(2026, 1, 15))
    assert outcome.cards == (OLD, OTHER)
    assert outcome.removed == ()


def test_an_early_renewal_still_pairs() -> None:
    early = RegisteredCard("3333444455556666", date(2026, 2, 1), date(2028, 3, 31))
    assert is_renewal_of(early, OLD)  # started 89 days before the end, not the FAQ's 30
    assert switching_until(OLD, (OLD, early)) == OLD.valid_to


def test_an_expired_card_cannot_be_registered_and_evicts_nothing() -> None:
    with pytest.raises(CardExpiredError):
        register((NEW,), OLD, date(2026, 5, 10))


def test_an_expired_card_leaves_when_the_next_renewal_arrives() -> None:
    newer = RegisteredCard("1212343456567878", date(2028, 4, 1), date(2030, 4, 30))
    outcome = register((OLD, NEW), newer, date(2028, 4, 5))
    assert outcome.cards == (NEW, newer)
    assert outcome.removed == (OLD,)


def test_the_old_card_stays_until_its_switching_period_is_over() -> None:
    cards = (OLD, NEW)
    with pytest.raises(CardInSwitchingPeriodError) as caught:
        unregister(cards, OLD.card_number, date(2026, 4, 30))
    assert caught.value.params["until"] == "2026-04-30"
    assert unregister(cards, OLD.card_number, date(2026, 5, 1)) == (NEW,)
    assert unregister(cards, "1111-2222-3333-4444", date(2026, 4, 2), force=True) == (NEW,)
    assert unregister(cards, NEW.card_number, date(2026, 4, 2)) == (OLD,)
    with pytest.raises(CardNotRegisteredError):
        unregister(cards, "0000000000000000", date(2026, 4, 2))


@pytest.mark.parametrize(
    ("valid_to", "renewal_from", "remind_from"),
    [
        (date(2021, 4, 30), date(2021, 4, 1), date(2021, 3, 30)),  # the FAQ's own example
        (date(2021, 3, 31), date(2021, 3, 2), date(2021, 2, 28)),  # month end
        (date(2024, 3, 31), date(2024, 3, 2), date(2024, 2, 29)),  # leap year month end
        (date(2024, 3, 29), date(2024, 2, 29), date(2024, 2, 29)),  # 30 days back to 2/29
        (date(2023, 3, 1), date(2023, 1, 31), date(2023, 2, 1)),  # across two months
        (date(2027, 1, 15), date(2026, 12, 17), date(2026, 12, 15)),  # across the year
    ],
)
def test_renewal_dates(valid_to: date, renewal_from: date, remind_from: date) -> None:
    plan = plan_renewal(valid_to)
    assert plan.renewal_valid_from == renewal_from
    assert (valid_to - plan.renewal_valid_from).days + 1 == 30  # 30 days, the last included
    assert plan.remind_from == remind_from == plan.apply_by


@pytest.mark.parametrize(
    ("received", "latest"),
    [
        (date(2026, 4, 1), date(2026, 4, 15)),  # an ordinary fortnight
        (date(2026, 4, 28), date(2026, 5, 18)),  # Golden Week: 4/29, 5/3–5/6 (substitute)
        (date(2025, 4, 25), date(2025, 5, 14)),  # Golden Week 2025: 4/29, 5/3–5/6
        (date(2025, 12, 26), date(2026, 1, 19)),  # 12/29–1/3 closed, 1/12 成人の日
        (date(2026, 9, 18), date(2026, 10, 7)),  # 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日
        (date(2026, 4, 4), date(2026, 4, 17)),  # received on a Saturday
    ],
)
def test_latest_delivery_counts_japanese_business_days(received: date, latest: date) -> None:
    assert plan_renewal(date(2026, 12, 31), received).latest_delivery == latest
    assert business_days_after(received, 10) == latest


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 4, 29), False),
        (date(2026, 5, 6), False),
        (date(2026, 5, 7), True),
        (date(2026, 12, 28), True),
        (date(2026, 12, 29), False),
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),
        (date(2026, 11, 21), False),
        (date(2026, 11, 23), False),
    ],
)
def test_business_days(day: date, business: bool) -> None:
    assert is_business_day(day) is business


def test_months_before_clamps() -> None:
    assert months_before(date(2026, 5, 31), 1) == date(2026, 4, 30)
    assert months_before(date(2026, 1, 31), 1) == date(2025, 12, 31)


def test_late_application_is_flagged() -> None:
    assert not plan_renewal(date(2026, 4, 30), date(2026, 4, 24)).delivered_before_expiry
    assert plan_renewal(date(2026, 4, 30), date(2026, 4, 1)).delivered_before_expiry


def test_reminder_window() -> None:
    plan = plan_renewal(date(2021, 4, 30))
    assert not plan.reminder_due(date(2021, 3, 29))
    assert plan.reminder_due(date(2021, 3, 30))
    assert plan.reminder_due(date(2021, 4, 30))
    assert not plan.reminder_due(date(2021, 5, 1))


def test_first_application_starts_on_first_real_use_or_test_period() -> None:
    assert first_valid_from(date(2026, 12, 1)) == date(2026, 12, 1)
    assert first_valid_from(date(2026, 12, 1), date(2026, 11, 16)) == date(2026, 11, 16)
