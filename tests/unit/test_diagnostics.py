"""The runner, the catalogue, the checks that need no card, and the report."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ndnclient.diagnostics import checks as checks_module
from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.diagnostics.checks import (
    ALL_CHECKS,
    g10_allowed_urls,
    g11_supported_reader,
    g12_clock,
    g13_proxy,
)
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckResult, CheckStatus, Outcome
from ndnclient.diagnostics.report import CheckReport, to_html, to_text
from ndnclient.diagnostics.runner import CheckRunner, with_prerequisites
from ndnclient.messages import Messages
from ndnclient.pki.ldap_repository import LdapProbe, LdapTarget, ProbeReason, ProbeResult
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL


def context_with(**values: Any) -> CheckContext:
    settings = merge(values, Policy())
    return CheckContext(settings, lambda job: job(None))  # type: ignore[arg-type,misc]


def sleeper(seconds: float, status: CheckStatus = OK) -> Any:
    def run(context: CheckContext) -> Outcome:
        time.sleep(seconds)
        return Outcome(status, "ok")

    return run


def run(checks: list[Check], **kwargs: Any) -> list[CheckResult]:
    runner = CheckRunner(checks, context_with(), Catalogue("ja"), **kwargs)
    return list(runner.results())


# --- the runner -----------------------------------------------------------------------------


def test_independent_checks_run_side_by_side() -> None:
    checks = [Check(f"G0{n}", sleeper(0.4)) for n in range(1, 5)]
    started = time.monotonic()
    results = run(checks)
    assert time.monotonic() - started < 0.9  # four 0.4 s checks, not 1.6 s
    assert {r.status for r in results} == {OK}


def test_results_arrive_as_they_finish() -> None:
    order = [r.code for r in run([Check("G01", sleeper(0.3)), Check("G02", sleeper(0.0))])]
    assert order == ["G02", "G01"]


def test_a_failed_prerequisite_skips_its_dependants_and_says_which() -> None:
    results = {
        r.code: r
        for r in run(
            [
                Check("G01", sleeper(0, FAIL)),
                Check("G02", sleeper(0), requires=("G01",)),
                Check("G03", sleeper(0), requires=("G02",)),
                Check("G04", sleeper(0)),
            ]
        )
    }
    assert [results[c].status for c in ("G01", "G02", "G03", "G04")] == [
        FAIL,
        CheckStatus.SKIPPED,
        CheckStatus.SKIPPED,
        OK,
    ]
    assert "G01" in results["G02"].detail and results["G02"].facts["because"] == ["G01"]


def test_after_orders_without_requiring() -> None:
    seen: list[str] = []

    def record(code: str, status: CheckStatus) -> Any:
        def run_it(context: CheckContext) -> Outcome:
            seen.append(code)
            return Outcome(status, "ok")

        return run_it

    results = {
        r.code: r
        for r in run(
            [
                Check("G01", lambda c: (time.sleep(0.2), record("G01", FAIL)(c))[1]),
                Check("G02", record("G02", OK), after=("G01",)),
            ]
        )
    }
    assert seen == ["G01", "G02"] and results["G02"].status is OK


def test_a_check_that_raises_becomes_a_fail_naming_it() -> None:
    def broken(context: CheckContext) -> Outcome:
        raise KeyError("missing thing")

    (result,) = run([Check("G01", broken)])
    assert result.status is FAIL and result.outcome == "unexpected"
    assert "KeyError" in result.detail and result.facts["exception"] == "KeyError"


def test_a_check_past_its_bound_fails_and_the_run_goes_on() -> None:
    started = time.monotonic()
    results = {
        r.code: r
        for r in run(
            [
                Check("G01", sleeper(5), time_bound=lambda c: 0.3),
                Check("G02", sleeper(0)),
            ]
        )
    }
    assert time.monotonic() - started < 2
    assert (results["G01"].status, results["G01"].outcome) == (FAIL, "timed_out")
    assert results["G02"].status is OK


def test_the_run_deadline() -> None:
    started = time.monotonic()
    results = run([Check("G01", sleeper(5)), Check("G02", sleeper(0))], deadline=0.3)
    assert time.monotonic() - started < 2
    assert {r.code: r.outcome for r in results}["G01"] == "timed_out"


def test_cancellation() -> None:
    context = context_with()
    runner = CheckRunner(
        [Check("G01", sleeper(5)), Check("G02", sleeper(0), requires=("G01",))],
        context,
        Catalogue("en"),
    )
    threading.Timer(0.2, context.cancel.set).start()
    started = time.monotonic()
    results = list(runner.results())
    assert time.monotonic() - started < 2
    assert {r.status for r in results} == {CheckStatus.SKIPPED}
    assert all("stopped" in r.detail for r in results)


def test_with_prerequisites() -> None:
    chosen = [c.code for c in with_prerequisites(ALL_CHECKS, ["G08"])]
    assert chosen == ["G01", "G02", "G03", "G04", "G08"]


# --- the catalogue ---------------------------------------------------------------------------


def outcome_keys_by_code() -> dict[str, set[str]]:
    """Every outcome key each check's code can return, read from its source."""
    source = Path(checks_module.__file__).read_text(encoding="utf-8")
    keys: dict[str, set[str]] = {}
    for match in re.finditer(r"\ndef g(\d\d)_\w+\(.*?(?=\ndef |\Z)", source, re.S):
        code = f"G{match.group(1)}"
        body = match.group(0)
        keys[code] = set(
            re.findall(r'Outcome\(\s*(?:[A-Z]+|CheckStatus\.[A-Z_]+),\s*"(\w+)"', body)
        )
        if "result.reason.value" in body:
            keys[code] |= {"dns", "refused", "timeout", "no_response", "bind", "no_crl", "bad_crl"}
        if "result.problem" in body:
            keys[code] |= {"no_anchors", "unknown_issuer", "ca_expired", "not_a_ca"}
    return keys


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_outcome_has_its_text(lang: str) -> None:
    catalogue = Catalogue(lang)
    keys = outcome_keys_by_code()
    assert sorted(keys) == [f"G{n:02d}" for n in range(1, 14)]
    for code, outcomes in keys.items():
        explanation = catalogue.explain(code)
        assert explanation is not None and explanation.title and explanation.remedy, code
        for key in outcomes:
            texts = explanation.outcomes.get(key)
            assert texts and texts.get("detail"), f"{code} {key} ({lang})"


def test_the_g04_text_follows_the_issuers_faq() -> None:
    for lang, words in (
        ("ja", ("LDAP", "ネットワーク管理部門", "マルチトラスト", "無視")),
        ("en", ("LDAP", "network department", "multi-trust", "ignored")),
    ):
        explanation = Catalogue(lang).explain("G04")
        assert explanation is not None
        text = explanation.meaning + explanation.remedy
        assert all(word in text for word in words), lang


def test_render_fills_in_and_gives_no_remedy_when_all_is_well() -> None:
    catalogue = Catalogue("ja")
    _, detail, remedy = catalogue.render("G07", Outcome(OK, "ok", {"tries": 10, "max": 10}))
    assert "10 回" in detail and remedy == ""
    _, detail, remedy = catalogue.render(
        "G04",
        Outcome(
            FAIL,
            "refused",
            {
                "host": "repo.example.jp",
                "port": 389,
                "why": "x",
                "seconds": "0.1",
                "proxy_note": "",
            },
        ),
    )
    assert "repo.example.jp" in remedy and "389" in remedy


# --- checks that need no card ---------------------------------------------------------------


def test_g10_urls() -> None:
    assert g10_allowed_urls(context_with()).status is WARN
    good = context_with(**{"urls.allowed": ["https://www.e-bisc.go.jp"]})
    assert g10_allowed_urls(good).status is OK
    # Values that only a hand-edited or foreign file could hold (the store normalises).
    bad = context_with(**{"urls.allowed": ["https://a.jp/path", "http://b.jp", "https://c.jp"]})
    outcome = g10_allowed_urls(bad)
    assert outcome.status is FAIL and outcome.facts["bad"] == ["https://a.jp/path", "http://b.jp"]


def test_g11_supported_readers() -> None:
    context = context_with(**{"readers.supported": ["Virtual PCD"]})
    context.card.readers = ["Virtual PCD 00 00", "Identiv SCR3310 v2.0 USB SC Reader 0"]
    assert g11_supported_reader(context).status is OK
    context = context_with()
    context.card.readers = ["Cheap Reader 0"]
    outcome = g11_supported_reader(context)
    assert outcome.status is WARN and outcome.facts["unsupported"] == ["Cheap Reader 0"]


class FakeCrl:
    def __init__(self, issued: datetime) -> None:
        self.last_update_utc = issued


def test_g12_clock() -> None:
    context = context_with()
    assert g12_clock(context).status is CheckStatus.SKIPPED
    context.ldap = ProbeResult(LdapTarget("ldap", "h", 389, "x"))
    context.ldap.crl = FakeCrl(datetime.now(UTC) + timedelta(minutes=30))  # type: ignore[assignment]
    outcome = g12_clock(context)
    assert outcome.status is WARN and outcome.facts["behind_minutes"] == 30
    context.ldap.crl = FakeCrl(datetime.now(UTC) - timedelta(hours=5))  # type: ignore[assignment]
    assert g12_clock(context).status is OK


def test_g13_proxy() -> None:
    assert g13_proxy(context_with()).key == "none"
    context = context_with(**{"proxy.url": "http://proxy.example.lg.jp:8080"})
    context.ldap = ProbeResult(LdapTarget("ldap", "h", 389, "x"))
    context.ldap.reason = ProbeReason.TIMEOUT
    assert g13_proxy(context).status is WARN
    multitrust = context_with(**{"proxy.url": "http://p:8080", "verification_method": "multitrust"})
    assert g13_proxy(multitrust).key == "multitrust"


def test_the_ldap_probe_refused_and_silent(tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = LdapProbe(f"ldap://127.0.0.1:{port}/o=x", connect_timeout=1, receive_timeout=1).run()
    assert result.reason is not None and result.reason.value == "refused"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()
        result = LdapProbe(
            f"ldap://127.0.0.1:{silent.getsockname()[1]}/o=x", connect_timeout=1, receive_timeout=1
        ).run()
        assert time.monotonic() - started < 2.5
    assert result.reason is not None and result.reason.value == "no_response"
    assert result.steps_ms["connect"] < 1000


def test_the_probe_bound_is_the_sum_of_its_steps() -> None:
    probe = LdapProbe("ldap://h/o=x", connect_timeout=3, receive_timeout=5)
    assert probe.time_bound == 3 + 3 + 2 * 5


# --- the report ------------------------------------------------------------------------------


def sample_report() -> CheckReport:
    result = CheckResult(
        "G04", FAIL, "LDAP <repo>", "detail & <b>bold</b>", "do this", {}, 12, "refused"
    )
    ok = CheckResult("G01", OK, "Service", "fine", "", {}, 3, "ok")
    return CheckReport(
        [ok, result],
        datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        readers=["Reader <0>"],
        settings={"language": "ja"},
        card_number="9392-0000-1234-5678",
    )


def test_html_report_is_self_contained_and_escaped() -> None:
    page = to_html(sample_report(), Messages("ja"))
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "Reader &lt;0&gt;" in page and "http" not in page.replace("https", "")
    assert "✖" in page and "エラー" in page  # status by symbol and word, not colour alone
    assert "1件の問題" in page and "動作確認エラー:G04" in page


def test_text_and_json_reports() -> None:
    report = sample_report()
    text = to_text(report, Messages("en"))
    assert "check code G04" in text and "do this" in text and "language = ja" in text
    document = report.to_json(Messages("en"))
    assert document["summary"]["fail"] == 1 and document["summary"]["failed"] is True
    assert document["results"][1]["outcome"] == "refused"
    assert set(document) >= {"results", "app", "system", "readers", "settings"}
