"""The operation check's report as people read it: Japan time said as such, the OS by its
name, demo or real, every row (problems first), and the settings in words and tables, never
in a program's notation."""

from __future__ import annotations

import html
import json
import platform
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ndnclient.diagnostics.environment import diagnostics_document
from ndnclient.diagnostics.model import CheckResult, CheckStatus
from ndnclient.diagnostics.report import (
    CheckReport,
    format_result_lines,
    helpdesk_text,
    japan_time,
    os_name,
    render_report,
    shown_setting,
    to_html,
    to_text,
)
from ndnclient.messages import Messages, _catalogue
from ndnclient.settings.keys import KEYS

FAIL, WARN, OK, SKIPPED = (
    CheckStatus.FAIL,
    CheckStatus.WARN,
    CheckStatus.OK,
    CheckStatus.SKIPPED,
)
# 10:06 UTC is 19:06 in Japan.
RUN_AT = datetime(2026, 11, 30, 10, 6, 30, tzinfo=UTC)
CARD = {
    "card_number": "9392000012345678",
    "valid_from": "2026-04-01",
    "valid_to": "2031-03-31",
    "label": "本庁 <script>alert(1)</script>",
}
URLS = ["https://www.e-bisc.go.jp", "https://ebid.example.lg.jp"]
SETTINGS: dict[str, Any] = {
    "cards": [CARD, {**CARD, "card_number": "9392000087654321", "label": ""}],
    "verification_method": "multitrust",
    "ldap.url": "",
    "ldap.connect_timeout": 3,
    "ldap.receive_timeout": 2.5,
    "trust.anchor_files": [],
    "trust.use_system_store": False,
    "urls.allowed": URLS,
    "proxy.url": None,
    "language": "ja",
    "readers.supported": [],
}
PYTHON_NOTATION = ("None", "[]", "{'", "{}", "True", "False", "'card_number'")


def result(code: str, status: CheckStatus, title: str, **extra: object) -> CheckResult:
    remedy = str(extra.get("remedy", ""))
    facts = extra.get("facts", {})
    assert isinstance(facts, dict)
    return CheckResult(code, status, title, f"{title}: detail", remedy, facts, 5, "x")


def sample(*, demo: bool = False) -> CheckReport:
    return CheckReport(
        [
            result("G01", OK, "Service", facts={"readers": ["Reader 0"], "none": None}),
            result("G09", FAIL, "Chain", remedy="Ask IT", facts={"problems": [], "x": {}}),
            result("G04", FAIL, "LDAP", remedy="Ask the network team"),
            result("G08", SKIPPED, "Revocation"),
            result("G11", WARN, "Reader model", remedy="Use a supported one"),
        ],
        RUN_AT,
        readers=["Reader 0"],
        settings=SETTINGS,
        card_number="9392-0000-1234-5678",
        demo=demo,
        setting_sources={"ldap.url": "default", "urls.allowed": "user", "cards": "locked"},
    )


def visible_text(page: str) -> str:
    """The page's text without its tags and style, entities decoded."""
    body = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


# --- Japan time ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset_hours", [0, -5, 9, 13])
def test_the_time_is_japan_time_whatever_the_zone_of_the_moment(offset_hours: int) -> None:
    moment = RUN_AT.astimezone(timezone(timedelta(hours=offset_hours)))
    assert japan_time(moment, Messages("ja")) == "2026-11-30 19:06（日本時間）"
    assert japan_time(moment, Messages("en")) == "2026-11-30 19:06 (Japan time)"


def test_the_copy_and_the_reports_say_japan_time() -> None:
    report = sample()
    for text in (helpdesk_text(report, Messages("ja")), to_text(report, Messages("ja"))):
        assert "2026-11-30 19:06（日本時間）" in text
        assert "10:06" not in text
    assert "2026-11-30 19:06（日本時間）" in to_html(report, Messages("ja"))
    assert report.to_json(Messages("ja"))["generated_at"] == "2026-11-30T19:06:30+09:00"


def test_the_diagnostics_file_is_stamped_in_japan_time(tmp_path: Path) -> None:
    document = diagnostics_document(paths={}, settings={}, card=None, log_file=tmp_path / "no.log")
    assert document["generated_at"].endswith("+09:00")


# --- the OS by its name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("10.0.22631", "Windows 11 Professional (10.0.22631, AMD64)"),
        ("10.0.19045", "Windows 10 Professional (10.0.19045, AMD64)"),
    ],
)
def test_windows_11_is_called_11(
    monkeypatch: pytest.MonkeyPatch, version: str, expected: str
) -> None:
    """Python before 3.12 reports Windows 11 as release "10"; the build number tells."""
    monkeypatch.setattr(platform, "win32_ver", lambda: ("10", version, "SP0", "Multiprocessor"))
    monkeypatch.setattr(platform, "win32_edition", lambda: "Professional")
    monkeypatch.setattr(platform, "machine", lambda: "AMD64")
    assert os_name("Windows") == expected


# --- the copy for the helpdesk ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_copy_gives_version_os_mode_and_every_row_problems_first(lang: str) -> None:
    messages = Messages(lang)
    report = sample(demo=True)
    copied = helpdesk_text(report, messages)
    assert "ndnclient " in copied
    assert f"{messages.text('report.os')}: {os_name()}" in copied
    assert messages.text("report.mode_demo") in copied
    assert messages.text("report.mode_real") not in copied
    assert "9392-0000-1234-5678" in copied
    for code in report.codes_to_tell(messages):
        assert code in copied
    positions = [copied.index(format_result_lines(r, messages)[0]) for r in ordered(report)]
    assert positions == sorted(positions)  # errors, warnings, then the rest by code
    assert "Ask the network team" in copied  # a problem's remedy
    assert "Revocation: detail" in copied  # an unchecked row, with why
    assert "alert" not in copied  # the settings are in the saved report, not the copy


def ordered(report: CheckReport) -> list[CheckResult]:
    by_code = {r.code: r for r in report.results}
    return [by_code[code] for code in ("G04", "G09", "G11", "G01", "G08")]


def test_a_real_card_run_says_so_and_a_stopped_run_too() -> None:
    messages = Messages("ja")
    copied = helpdesk_text(sample(), messages, stopped=True)
    assert "動作モード: 通常" in copied
    assert messages.text("check.stopped") in copied


# --- the settings in words -------------------------------------------------------------------


def test_every_settings_key_has_a_title_in_both_languages() -> None:
    for lang in ("ja", "en"):
        missing = [key for key in KEYS if f"report.setting.{key}" not in _catalogue(lang)]
        assert not missing, (lang, missing)


def test_settings_as_sentences_lists_and_a_table_of_cards() -> None:
    ja = Messages("ja")
    cards = shown_setting("cards", SETTINGS["cards"], ja, "IT が固定")
    assert cards.title == "登録済みのカード"
    assert cards.cards == (
        ("9392-0000-1234-5678", "2026-04-01 ～ 2031-03-31", CARD["label"]),
        ("9392-0000-8765-4321", "2026-04-01 ～ 2031-03-31", "（なし）"),
    )
    assert shown_setting("cards", [], ja).text == "なし"
    assert shown_setting("proxy.url", None, ja).text.startswith("設定なし")
    assert shown_setting("ldap.url", "", ja).text.startswith("設定なし")
    assert shown_setting("ldap.url", "ldap://h:389/o=x", ja).text == "ldap://h:389/o=x"
    assert shown_setting("trust.anchor_files", [], ja).text == "なし"
    assert shown_setting("trust.use_system_store", False, ja).text == "いいえ"
    assert shown_setting("ldap.receive_timeout", 2.5, ja).text == "2.5 秒"
    assert shown_setting("verification_method", "multitrust", ja).text == "マルチトラスト方式"
    assert shown_setting("language", "en", ja).text.startswith("English")
    urls = shown_setting("urls.allowed", URLS, ja)
    assert urls.items == tuple(URLS)
    # A key this version does not know (a newer settings file): its name, its value in words.
    unknown = shown_setting("future.key", {"a": None, "b": [True]}, ja)
    assert unknown.title == "future.key"
    assert unknown.text == "a: 設定なし、b: はい"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_report_shows_python_notation(lang: str) -> None:
    messages = Messages(lang)
    report = sample()
    texts = {
        "copy": helpdesk_text(report, messages),
        "text": to_text(report, messages),
        "html": visible_text(to_html(report, messages)),
    }
    for kind, text in texts.items():
        for notation in PYTHON_NOTATION:
            assert notation not in text, (kind, notation)
    assert "urls.allowed" not in texts["html"]  # keys by their titles


def test_the_text_report_lists_the_settings_with_where_they_came_from() -> None:
    text = to_text(sample(), Messages("ja"))
    assert "  LDAPリポジトリのURL［既定値］: 設定なし（" in text
    assert "  許可URLリスト［利用者の設定］:\n    - https://www.e-bisc.go.jp\n" in text
    assert "  登録済みのカード［IT が固定］:\n    - 9392-0000-1234-5678" in text
    assert "  署名検証方式: マルチトラスト方式\n" in text


# --- the HTML page ---------------------------------------------------------------------------


def test_the_html_page_escapes_stands_alone_and_prints_on_a4() -> None:
    page = to_html(sample(), Messages("ja"))
    assert "<script>" not in page
    assert "本庁 &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<table class='cards'>" in page
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", page)  # nothing from outside
    assert "size: A4" in page
    assert '<html lang="ja">' in page
    # Problems first, each with what to do; then the other rows; the technical facts last.
    rows = page.split("<h2>問題と注意</h2>")[1]
    assert rows.index("G04") < rows.index("G09") < rows.index("G11") < rows.index("G01")
    assert page.index("Ask IT") < page.index("使用中の設定") < page.index("技術的な詳細")
    assert "Reader 0" in page.split("技術的な詳細")[1]  # G01's facts, in words


def test_the_json_report_keeps_the_values_for_scripts() -> None:
    report = sample(demo=True)
    document = json.loads(render_report(Path("r.json"), report, Messages("en")))
    assert document["settings"] == SETTINGS  # scripts get the values as they are
    assert document["mode"] == "demo"
    assert document["setting_sources"]["cards"] == "locked"
    assert document["system"]["os_name"] == os_name()
    assert render_report(Path("r.TXT"), report, Messages("en")).startswith("ndnclient operation")
