"""How the operation check names its rows and what it tells each front end: 「動作確認エラー」
only for a failure, a neutral 「確認コード」 otherwise; no card is a state, not a fault; the
window's remedies name pages, the command line's name commands; texts render again in
another language."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardNotRespondingError,
    CardRemovedError,
    NoCardError,
)
from ndnclient.card.pin import SecretBuffer
from ndnclient.diagnostics import checks as checks_module
from ndnclient.diagnostics.catalogue import Catalogue, ErrorSentence, Phrase, code_label
from ndnclient.diagnostics.checks import ALL_CHECKS
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckResult, CheckStatus, Outcome
from ndnclient.diagnostics.report import CheckReport, format_result_lines
from ndnclient.diagnostics.runner import CheckRunner, with_prerequisites
from ndnclient.diagnostics.signature_test import SIGNATURE_TEST, g14_signature_test
from ndnclient.messages import Messages
from ndnclient.resources import resource_path
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.inprocess import VirtualReaderBackend

T = TypeVar("T")
# The window's pages a remedy may open (MainWindow's PAGE_NAMES that a remedy can name).
WINDOW_PAGES = {"home", "user_info", "pin", "urls"}
COMMAND = re.compile(r"ndnclient [a-z]|--[a-z]")


def context_with(backend: object = None, lang: str = "ja") -> CheckContext:
    settings = merge({}, Policy())
    return CheckContext(settings, lambda job: job(backend), lang=lang)


def result_of(status: CheckStatus, code: str = "G04") -> CheckResult:
    return CheckResult(code, status, "title", "detail", "", {}, 0, "x")


# --- the labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "fault", "neutral"),
    [("ja", "動作確認エラー:G04", "確認コード:G04"), ("en", "check error G04", "check code G04")],
)
def test_only_a_failure_is_called_an_error(lang: str, fault: str, neutral: str) -> None:
    messages = Messages(lang)
    assert code_label(messages, "G04", CheckStatus.FAIL) == fault
    for status in (
        CheckStatus.OK,
        CheckStatus.WARN,
        CheckStatus.SKIPPED,
        CheckStatus.NOT_APPLICABLE,
        None,  # a code on its own, as `explain` shows it
    ):
        assert code_label(messages, "G04", status) == neutral, status


def test_the_text_rows_are_headed_by_their_label() -> None:
    messages = Messages("ja")
    (failed,) = format_result_lines(result_of(CheckStatus.FAIL), messages)[:1]
    (warned,) = format_result_lines(result_of(CheckStatus.WARN, "G10"), messages)[:1]
    (skipped,) = format_result_lines(result_of(CheckStatus.SKIPPED, "G08"), messages)[:1]
    assert failed.startswith("✖ 動作確認エラー:G04 [エラー]")
    assert warned.startswith("▲ 確認コード:G10 [注意]")
    assert skipped.startswith("－ 確認コード:G08 [未確認]")
    assert "動作確認エラー" not in warned + skipped


# --- no card is a state, not a fault ------------------------------------------------------------


def test_no_card_is_not_checked_and_fails_nothing(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    backend = virtual_reader()
    backend.remove()
    card_checks = [c for c in ALL_CHECKS if c.code in ("G01", "G02", "G03", "G05", "G07")]
    results = {r.code: r for r in CheckRunner(card_checks, context_with(backend)).run()}
    g02 = results["G02"]
    assert (g02.status, g02.outcome) == (CheckStatus.SKIPPED, "no_card")
    assert "差し込んで" in g02.remedy  # it still says what to do next
    for code in ("G03", "G05", "G07"):
        assert results[code].status is CheckStatus.SKIPPED, code
        # Not "did not pass ... solve that first": nothing is wrong.
        assert results[code].outcome == "prerequisite_not_checked", code
    report = CheckReport(list(results.values()), generated_at=_now())
    assert not report.failed  # `ndnclient check` exits 0
    assert report.codes_to_tell(Messages("ja")) == []


def test_a_real_fault_still_fails_the_run() -> None:
    failing = Check("G04", lambda _c: Outcome(CheckStatus.FAIL, "refused", _g04_params()))
    results = CheckRunner([failing], context_with()).run()
    report = CheckReport(results, generated_at=_now())
    assert report.failed  # `ndnclient check` exits 1
    assert report.codes_to_tell(Messages("ja")) == ["動作確認エラー:G04"]


class CardAccessRaising:
    """Card access whose every job meets `error` (the card went, or stopped answering)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T:
        raise self.error


@pytest.mark.parametrize(
    "error", [NoCardError("no card", reader="R"), CardRemovedError("pulled", reader="R")]
)
def test_a_card_pulled_during_a_check_is_not_a_fault(error: Exception) -> None:
    context = CheckContext(merge({}, Policy()), CardAccessRaising(error), lang="ja")
    outcome = checks_module.g01_service_and_reader(context)
    assert (outcome.status, outcome.key) == (CheckStatus.SKIPPED, "card_removed")
    _, detail, remedy = Catalogue("ja").render("G03", outcome)
    assert "差し込まれていない" in detail
    assert remedy


def test_another_card_error_is_still_a_fault() -> None:
    mute = CardAccessRaising(CardNotRespondingError("mute", reader="R"))
    context = CheckContext(merge({}, Policy()), mute, lang="ja")
    outcome = checks_module.g01_service_and_reader(context)
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "card_error")


# --- the window's remedies name pages, the command line's name commands -------------------------


def _texts(lang: str) -> dict[str, object]:
    with resource_path("checks", f"{lang}.toml").open("rb") as file:
        return tomllib.load(file)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_window_never_tells_a_user_to_type_a_command(lang: str) -> None:
    catalogue = Catalogue(lang)
    checked = 0
    for code, entry in _texts(lang).items():
        assert isinstance(entry, dict)
        for key in entry.get("outcomes", {}):
            for status in (CheckStatus.FAIL, CheckStatus.SKIPPED):
                outcome = Outcome(status, key, _Anything())
                _, detail, remedy = catalogue.render(code, outcome, window=True)
                assert not COMMAND.search(detail + remedy), f"{code} {key} ({lang}): {remedy}"
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_command_line_names_the_command(lang: str) -> None:
    catalogue = Catalogue(lang)
    _, _, remedy = catalogue.render("G10", Outcome(CheckStatus.WARN, "empty"))
    assert "ndnclient urls add" in remedy
    _, _, remedy = catalogue.render("G06", Outcome(CheckStatus.WARN, "none_registered"))
    assert "ndnclient card register" in remedy
    _, _, remedy = catalogue.render(
        "G06", Outcome(CheckStatus.WARN, "none_registered"), window=True
    )
    assert ("ユーザ情報設定" if lang == "ja" else "User info settings") in remedy


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_a_remedy_names_exists(lang: str) -> None:
    named = set()
    for code, entry in _texts(lang).items():
        assert isinstance(entry, dict)
        if "gui_page" in entry:
            named.add(entry["gui_page"])
        for key, texts in entry.get("outcomes", {}).items():
            if "gui_page" in texts:
                named.add(texts["gui_page"])
                assert "gui_remedy" in texts or "gui_remedy" in entry, f"{code} {key}"
    assert named == WINDOW_PAGES
    catalogue = Catalogue(lang)
    assert catalogue.page_to_open("G10", "empty") == "urls"
    assert catalogue.page_to_open("G06", "none_registered") == "user_info"
    assert catalogue.page_to_open("G07", "blocked") == "pin"
    assert catalogue.page_to_open("G07", "low") is None  # only the helpdesk can help there
    assert catalogue.page_to_open("G04", "refused") is None


def test_explain_shows_only_the_command_lines_texts() -> None:
    explanation = Catalogue("ja").explain("G10")
    assert explanation is not None
    for texts in explanation.outcomes.values():
        assert not any(name.startswith("gui_") for name in texts)


# --- texts render again in another language ------------------------------------------------------


def test_a_result_renders_again_in_another_language() -> None:
    outcome = Outcome(CheckStatus.FAIL, "refused", _g04_params())
    (in_japanese,) = CheckRunner(
        [Check("G04", lambda _c: outcome)], context_with(lang="ja"), window=True
    ).run()
    assert "LDAP方式" in in_japanese.remedy  # the quoted phrase, in Japanese
    in_english = Catalogue("en").rerender(in_japanese, window=True)
    assert in_english.title == "LDAP repository reachable"
    assert in_english.detail == Catalogue("en").render("G04", outcome)[1]
    assert "repo.example.jp" in in_english.remedy
    assert "LDAP method" in in_english.remedy  # the phrase follows the language
    assert "LDAP方式" not in in_english.remedy
    assert (in_english.code, in_english.status, in_english.outcome) == ("G04", FAIL, "refused")


def test_a_quoted_error_sentence_follows_the_language() -> None:
    outcome = Outcome(
        CheckStatus.FAIL,
        "card_error",
        {"error": ErrorSentence(CardNotRespondingError("mute", reader="R"))},
    )
    japanese = Catalogue("ja").render("G03", outcome)[1]
    english = Catalogue("en").render("G03", outcome)[1]
    assert japanese != english
    assert re.search(r"[ぁ-ん]", japanese)
    assert not re.search(r"[ぁ-ん]", english)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_quoted_error_sentence_in_the_window_says_what_to_press(lang: str) -> None:
    outcome = Outcome(
        CheckStatus.FAIL,
        "card_error",
        {"error": ErrorSentence(CardChoiceNeededError([object(), object()], "A, B"))},
    )
    in_window = Catalogue(lang).render("G02", outcome, window=True)[1]
    on_the_command_line = Catalogue(lang).render("G02", outcome)[1]
    assert ("「使用するカード」" if lang == "ja" else '"Card in use"') in in_window
    assert "--card" not in in_window
    assert "--card" in on_the_command_line


# --- G14, the signature test -------------------------------------------------------------------


class SwitchableCardAccess:
    """The virtual card, until `error` is set: then every card job raises it."""

    def __init__(self, backend: VirtualReaderBackend) -> None:
        self.backend = backend
        self.error: Exception | None = None

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T:
        if self.error is not None:
            raise self.error
        return job(self.backend)


def g14_ready(backend: VirtualReaderBackend, **options: Any) -> tuple[CheckContext, Any]:
    """A context in which G14's prerequisites have run on `backend`, and its card access."""
    access = SwitchableCardAccess(backend)
    context = CheckContext(
        merge({}, Policy()), access, lang="ja", signature_pin=SecretBuffer(b"1234"), **options
    )
    prerequisites = [c for c in with_prerequisites((*ALL_CHECKS, SIGNATURE_TEST), ["G14"])]
    results = CheckRunner([c for c in prerequisites if c.code != "G14"], context).run()
    assert not any(r.status.is_fault for r in results)  # G14 would run
    return context, access


def test_g14_quotes_a_card_error_in_the_language_and_form_it_is_shown_in(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    context, access = g14_ready(virtual_reader())
    access.error = CardChoiceNeededError([object(), object()], "A, B")
    outcome = g14_signature_test(context)  # the run is in Japanese
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "card_error")
    in_window = Catalogue("ja").render("G14", outcome, window=True)[1]
    assert "「使用するカード」" in in_window
    assert "--card" not in in_window
    # Switched to English afterwards: the quoted sentence follows.
    in_english = Catalogue("en").render("G14", outcome, window=True)[1]
    assert not re.search(r"[ぁ-ん]", in_english)


def test_g14_tells_a_pin_that_used_the_last_try_from_a_pin_never_sent(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    backend = virtual_reader(pin_tries_left=1)
    context, _ = g14_ready(backend, signature_last_try_confirmed=True)
    context.signature_pin = SecretBuffer(b"9999")  # wrong, on the last try the user allowed
    sent = g14_signature_test(context)
    assert backend.card.state.pin_tries_left == 0
    _, detail, remedy = Catalogue("ja").render("G14", sent, window=True)
    assert "違っていた" in detail
    assert "送っていません" not in detail  # it was sent, and it used the last try
    assert "「PIN」ページ" in remedy
    assert Catalogue("ja").page_to_open("G14", sent.key) == "pin"

    # Locked by someone else after G07 read the tries: nothing is sent, nothing called wrong.
    backend = virtual_reader(pin_tries_left=1)
    context, _ = g14_ready(backend, signature_last_try_confirmed=True)
    backend.card.state.pin_tries_left = 0
    not_sent = g14_signature_test(context)
    _, detail, _ = Catalogue("ja").render("G14", not_sent, window=True)
    assert "送っていません" in detail
    assert "違" not in detail


FAIL = CheckStatus.FAIL


def _g04_params() -> dict[str, object]:
    return {
        "host": "repo.example.jp",
        "port": 389,
        "seconds": "0.1",
        "method_note": Phrase("G04", "method_ldap"),
        "proxy_note": "",
    }


class _Anything(dict[str, object]):
    """Every parameter a text may ask for."""

    def __missing__(self, key: str) -> str:
        return "x"


def _now() -> datetime:
    return datetime.now(UTC)
