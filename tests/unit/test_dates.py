"""Typed dates (ndnclient/dates.py): every form people in Japan write, and a sentence for each
one that is not a date."""

from __future__ import annotations

from datetime import date

import pytest

from ndnclient.dates import DateInputError, parse_date
from ndnclient.messages import Messages

END_OF_APRIL = date(2027, 4, 30)


@pytest.mark.parametrize(
    "text",
    [
        "2027-04-30",
        "2027/04/30",
        "2027/4/30",
        "2027.4.30",
        "20270430",
        "2027年4月30日",
        "2027年04月30日",
        " 2027-04-30\n",
        "２０２７／０４／３０",  # full-width, as a Japanese input method types it
        "R9.4.30",
        "R09.04.30",
        "r9.4.30",
        "R9/4/30",
        "Ｒ９．４．３０",
        "令和9年4月30日",
        "令和９年４月３０日",
        "令和 9年 4月 30日",
        "令和9年4月30",
        "㋿9.4.30",  # the one-character era name
    ],
)
def test_every_form_of_the_same_day(text: str) -> None:
    assert parse_date(text) == END_OF_APRIL


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("H1.1.8", date(1989, 1, 8)),
        ("h20.2.29", date(2008, 2, 29)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_the_first_year_and_heisei(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "key", "japanese"),
    [
        ("R9.2.30", "date_input.no_such_day", "2027年2月30日という日はありません"),
        ("2027-02-29", "date_input.no_such_day", "2027年2月29日という日はありません"),
        ("2027/13/1", "date_input.no_such_day", "2027年13月1日という日はありません"),
        ("令和0年4月30日", "date_input.reiwa_before_start", "令和は元年5月1日"),
        ("R1.4.30", "date_input.reiwa_before_start", "令和元年4月30日という日はありません"),
        ("H31.5.1", "date_input.heisei_after_end", "平成は31年4月30日"),
        ("H32.1.1", "date_input.heisei_after_end", "平成は31年4月30日"),
        ("平成元年1月7日", "date_input.heisei_before_start", "平成は元年1月8日"),
        ("H0.4.1", "date_input.heisei_before_start", "平成は元年1月8日"),
        ("2027-4-30", "date_input.unreadable", "日付として読み取れません"),
        ("garbage", "date_input.unreadable", "日付として読み取れません"),
        ("", "date_input.unreadable", "日付として読み取れません"),
        ("R9.4", "date_input.unreadable", "日付として読み取れません"),
        ("S60.1.1", "date_input.unreadable", "日付として読み取れません"),  # Showa: no card
        ("27-04-30", "date_input.unreadable", "日付として読み取れません"),
    ],
)
def test_what_is_not_a_date_gets_a_sentence(text: str, key: str, japanese: str) -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date(text)
    error = caught.value
    assert error.message_key == key
    sentence = Messages("ja").describe(error)
    assert japanese in sentence
    assert f"「{text}」" in sentence  # the user sees what they typed
    english = Messages("en").describe(error)
    assert english != sentence
    for said in (sentence, english):
        assert "{" not in said
        assert not said.startswith("date_input.")


def test_a_long_text_is_not_read_nor_quoted_in_full() -> None:
    with pytest.raises(DateInputError) as caught:
        parse_date("2027-04-30" * 1000)
    sentence = Messages("ja").describe(caught.value)
    assert len(sentence) < 200
    assert "…" in sentence
