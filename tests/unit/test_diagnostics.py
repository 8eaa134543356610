"""The runner, the catalogue, the checks that need no card, and the report."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
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
from ndnclient.pki.trust import ChainProblem
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL


def context_with(
    dotted: Mapping[str, Any] | None = None, *, lang: str = "ja", **values: Any
) -> CheckContext:
    """A context with these settings: dotted keys ("urls.allowed") in a mapping, others named."""
    settings = merge({**(dotted or {}), **values}, Policy())
    return CheckContext(settings, lambda job: job(None), lang=lang)


def sleeper(seconds: float, status: CheckStatus = OK) -> Any:
    def run(context: CheckContext) -> Outcome:
        time.sleep(seconds)
        return Outcome(status, "ok")

    return run


def run(checks: list[Check], **kwargs: Any) -> list[CheckResult]:
    runner = CheckRunner(checks, context_with(), **kwargs)
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
    assert "G01" in results["G02"].detail
    assert results["G02"].facts["because"] == ["G01"]


def test_after_orders_without_requiring() -> None:
    seen: list[str] = []

    def record(code: str, status: CheckStatus) -> Callable[[CheckContext], Outcome]:
        def run_it(context: CheckContext) -> Outcome:
            seen.append(code)
            return Outcome(status, "ok")

        return run_it

    def slow_g01(context: CheckContext) -> Outcome:
        time.sleep(0.2)
        return record("G01", FAIL)(context)

    results = {
        r.code: r
        for r in run(
            [
                Check("G01", slow_g01),
                Check("G02", record("G02", OK), after=("G01",)),
            ]
        )
    }
    assert seen == ["G01", "G02"]
    assert results["G02"].status is OK


def test_a_check_that_raises_becomes_a_fail_naming_it() -> None:
    def broken(context: CheckContext) -> Outcome:
        raise KeyError("missing thing")

    (result,) = run([Check("G01", broken)])
    assert result.status is FAIL
    assert result.outcome == "unexpected"
    assert "KeyError" in result.detail
    assert result.facts["exception"] == "KeyError"


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
    context = context_with(lang="en")
    runner = CheckRunner(
        [Check("G01", sleeper(5)), Check("G02", sleeper(0), requires=("G01",))], context
    )
    threading.Timer(0.2, context.cancel.set).start()
    started = time.monotonic()
    results = list(runner.results())
    assert time.monotonic() - started < 2
    assert {r.status for r in results} == {CheckStatus.SKIPPED}
    assert all("stopped" in r.detail for r in results)


def test_with_prerequisites() -> None:
    chosen = [c.code for c in with_prerequisites(ALL_CHECKS, ["G08"])]
    assert chosen == ["G01", "G02", "G03", "G04", "G08", "G09"]
    # G04 comes after G03: without ldap.url it probes the certificate's distribution points.
    assert [c.code for c in with_prerequisites(ALL_CHECKS, ["G13"])] == [
        "G01",
        "G02",
        "G03",
        "G04",
        "G13",
    ]
    assert [c.code for c in with_prerequisites(ALL_CHECKS, ["G10"])] == ["G10"]


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
            keys[code] |= {reason.value for reason in ProbeReason}
        if "result.problem" in body:
            keys[code] |= {problem.value for problem in ChainProblem}
    return keys


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_outcome_has_its_text(lang: str) -> None:
    catalogue = Catalogue(lang)
    keys = outcome_keys_by_code()
    assert sorted(keys) == [f"G{n:02d}" for n in range(1, 14)]
    for code, outcomes in keys.items():
        explanation = catalogue.explain(code)
        assert explanation is not None, code
        assert explanation.title, code
        assert explanation.remedy, code
        for key in outcomes:
            texts = explanation.outcomes.get(key)
            assert texts, f"{code} {key} ({lang})"
            assert texts.get("detail"), f"{code} {key} ({lang})"


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
    assert "10 回" in detail
    assert remedy == ""
    _, detail, remedy = catalogue.render(
        "G04",
        Outcome(
            FAIL,
            "refused",
            {
                "host": "repo.example.jp",
                "port": 389,
                "method_note": "",
                "seconds": "0.1",
                "proxy_note": "",
            },
        ),
    )
    assert "repo.example.jp" in remedy
    assert "389" in remedy


# --- checks that need no card ---------------------------------------------------------------


def test_g10_urls() -> None:
    assert g10_allowed_urls(context_with()).status is WARN
    good = context_with({"urls.allowed": ["https://www.e-bisc.go.jp"]})
    assert g10_allowed_urls(good).status is OK
    # Values that only a hand-edited or foreign file could hold (the store normalises).
    bad = context_with({"urls.allowed": ["https://a.jp/path", "http://b.jp", "https://c.jp"]})
    outcome = g10_allowed_urls(bad)
    assert outcome.status is FAIL
    assert outcome.facts["bad"] == ["https://a.jp/path", "http://b.jp"]
    # Stored before the rule for new entries: a site name with no dot is likely wrong (a
    # note: an office site may have one, and IT may have set it).
    stored = ["https://xn--5rtw95l9pb.jp", "https://xn--5rtw95l9pb", "https://e-bisc"]
    outcome = g10_allowed_urls(context_with({"urls.allowed": [*stored, "https://127.0.0.1"]}))
    assert (outcome.status, outcome.key) == (WARN, "no_dot")
    assert outcome.facts["no_dot"] == stored[1:]


def test_g11_supported_readers() -> None:
    context = context_with({"readers.supported": ["Virtual PCD"]})
    context.card.readers = ["Virtual PCD 00 00", "Identiv SCR3310 v2.0 USB SC Reader 0"]
    assert g11_supported_reader(context).status is OK
    context = context_with()
    context.card.readers = ["Cheap Reader 0"]
    outcome = g11_supported_reader(context)
    assert outcome.status is WARN
    assert outcome.facts["unsupported"] == ["Cheap Reader 0"]


class FakeCrl:
    def __init__(self, issued: datetime) -> None:
        self.last_update_utc = issued


def test_g12_clock() -> None:
    context = context_with()
    assert g12_clock(context).status is CheckStatus.SKIPPED
    context.ldap = ProbeResult(LdapTarget("ldap", "h", 389, "x"))
    context.ldap.crl = FakeCrl(datetime.now(UTC) + timedelta(minutes=30))  # type: ignore[assignment]
    outcome = g12_clock(context)
    assert outcome.status is WARN
    assert outcome.facts["behind_minutes"] == 30
    context.ldap.crl = FakeCrl(datetime.now(UTC) - timedelta(hours=5))  # type: ignore[assignment]
    assert g12_clock(context).status is OK


def test_g13_proxy() -> None:
    assert g13_proxy(context_with()).key == "none"
    context = context_with({"proxy.url": "http://proxy.example.lg.jp:8080"})
    context.ldap = ProbeResult(LdapTarget("ldap", "h", 389, "x"))
    context.ldap.reason = ProbeReason.TIMEOUT
    assert g13_proxy(context).status is WARN
    multitrust = context_with({"proxy.url": "http://p:8080", "verification_method": "multitrust"})
    assert g13_proxy(multitrust).key == "multitrust"


def test_the_ldap_probe_refused_and_silent(tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    # Windows answers a refused connection only after retrying the SYN for about 2 s (even
    # on loopback): a 1 s bound would call it "timeout" there. Linux refuses at once.
    result = LdapProbe(f"ldap://127.0.0.1:{port}/o=x", connect_timeout=10, receive_timeout=1).run()
    assert result.reason is not None
    assert result.reason.value == "refused"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()
        result = LdapProbe(
            f"ldap://127.0.0.1:{silent.getsockname()[1]}/o=x", connect_timeout=1, receive_timeout=1
        ).run()
        assert time.monotonic() - started < 2.5
    assert result.reason is not None
    assert result.reason.value == "no_response"
    assert result.steps_ms["connect"] < 1000


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
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "Reader &lt;0&gt;" in page
    assert "http" not in page.replace("https", "")
    assert "✖" in page
    assert "エラー" in page
    assert "1件の問題" in page
    assert "動作確認エラー:G04" in page


def test_text_and_json_reports() -> None:
    report = sample_report()
    text = to_text(report, Messages("en"))
    assert report.codes_to_tell(Messages("en"))[0] in text
    assert "G04" in text
    assert "do this" in text
    assert "Language: 日本語 (Japanese)" in text  # the setting by its title, in words
    document = report.to_json(Messages("en"))
    assert document["summary"]["fail"] == 1
    assert document["summary"]["failed"] is True
    assert document["results"][1]["outcome"] == "refused"
    assert set(document) >= {"results", "app", "system", "readers", "settings"}


HUNG_CHECK_PROGRAM = """
import time
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckStatus, Outcome
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge

def hangs(context):
    time.sleep(600)  # e.g. a handshake the library never times out
    return Outcome(CheckStatus.OK, "ok")

context = CheckContext(merge({}, Policy()), lambda job: job(None))
results = CheckRunner([Check("G04", hangs, time_bound=lambda c: 0.5)], context).run()
print(results[0].outcome)
"""


def test_a_hung_check_never_keeps_the_program_from_ending() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", HUNG_CHECK_PROGRAM],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.stdout.strip() == "timed_out", done.stderr
    assert time.monotonic() - started < 10  # not 600


# --- the review's cases: bounds, verdicts, runner rules ------------------------------------


def message_id(request: bytes) -> bytes:
    """The encoded INTEGER of an LDAPMessage's messageID (an answer must echo it)."""
    position = 2 if request[1] < 0x80 else 2 + (request[1] & 0x7F)
    size = request[position + 1]
    return request[position + 2 : position + 2 + size]


def bind_ok(request: bytes) -> bytes:
    identifier = message_id(request)
    body = bytes([0x02, len(identifier)]) + identifier + bytes.fromhex("61070a010004000400")
    return bytes([0x30, len(body)]) + body


@pytest.fixture
def ldap_peer() -> Iterator[Callable[..., int]]:
    """`ldap_peer(handler, family, host)`: a listening socket whose every connection goes to
    `handler` on a thread of its own; returns its port. Everything is closed afterwards."""
    opened: list[socket.socket] = []

    def start(handler: Any, family: int = socket.AF_INET, host: str = "127.0.0.1") -> int:
        server = socket.socket(family)
        opened.append(server)
        server.bind((host, 0))
        server.listen(8)

        def serve(connection: socket.socket) -> None:
            with connection:
                handler(connection)

        def loop() -> None:
            while True:
                try:
                    connection, _ = server.accept()
                except OSError:
                    return  # closed at the end of the test
                opened.append(connection)
                threading.Thread(target=serve, args=(connection,), daemon=True).start()

        threading.Thread(target=loop, daemon=True).start()
        return int(server.getsockname()[1])

    yield start
    for opened_socket in opened:
        opened_socket.close()


def trickle(connection: socket.socket) -> None:
    """Answers the bind, then a search answer claiming 16 MB, one byte every 0.3 s."""
    with contextlib.suppress(OSError, IndexError):  # the probe hangs up on it
        connection.sendall(bind_ok(connection.recv(4096)))
        identifier = message_id(connection.recv(4096))
        header = bytes.fromhex("3084010000000201") + identifier[-1:] + bytes.fromhex("648401000000")
        for byte in header + bytes(1000):
            connection.send(bytes([byte]))
            time.sleep(0.3)


def hangs_up(connection: socket.socket) -> None:
    connection.close()


def not_ldap(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.recv(4096)
        connection.sendall(bytes.fromhex("3003020101"))
        time.sleep(3)


def silent(connection: socket.socket) -> None:
    time.sleep(30)


@pytest.mark.parametrize(
    ("handler", "scheme", "detail"),
    [
        (trickle, "ldap", "deadline"),
        (hangs_up, "ldap", "at once"),
        (not_ldap, "ldap", "not LDAP"),
        (silent, "ldaps", ""),
    ],
)
def test_the_probe_keeps_its_deadline_whatever_the_peer_does(
    handler: Any, scheme: str, detail: str, ldap_peer: Callable[..., int]
) -> None:
    port = ldap_peer(handler)
    probe = LdapProbe(f"{scheme}://127.0.0.1:{port}/o=x", connect_timeout=1, receive_timeout=1)
    started = time.monotonic()
    result = probe.run()
    assert time.monotonic() - started <= probe.time_bound + 0.5
    assert result.reason is ProbeReason.NO_RESPONSE, result.detail
    assert detail in result.detail


def test_the_probe_speaks_ipv6(ldap_peer: Callable[..., int]) -> None:
    try:
        port = ldap_peer(silent, socket.AF_INET6, "::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    result = LdapProbe(f"ldap://[::1]:{port}/o=x", connect_timeout=1, receive_timeout=1).run()
    assert result.reason is ProbeReason.NO_RESPONSE
    assert result.address == "::1"


def test_a_crl_of_an_unknown_version_is_bad_crl() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from ndnclient.pki import ldap_repository
    from ndnclient.simulator.testca import TestCA

    der = bytearray(TestCA.generate().issue_crl().public_bytes(Encoding.DER))
    der[der.index(bytes.fromhex("020101")) + 2] = 5  # tbsCertList.version 6: unknown
    with pytest.raises(ldap_repository._Failed) as caught:
        ldap_repository._parse_list(
            {ldap_repository.CRL_ATTRIBUTE: [bytes(der)]}, ldap_repository.CRL_ATTRIBUTE
        )
    assert caught.value.reason is ProbeReason.BAD_CRL


def test_the_run_deadline_shortens_the_probe_so_g04_keeps_its_own_verdict(
    ldap_peer: Callable[..., int],
) -> None:
    port = ldap_peer(silent)
    context = context_with({"ldap.url": f"ldap://127.0.0.1:{port}/o=x", "ldap.receive_timeout": 5})
    runner = CheckRunner([c for c in ALL_CHECKS if c.code == "G04"], context, deadline=1.5)
    started = time.monotonic()
    (result,) = runner.run()
    assert time.monotonic() - started < 3
    assert (result.status, result.facts.get("reason")) == (FAIL, "no_response")


def test_no_url_and_no_certificate_skip_g04_rather_than_fail() -> None:
    context = context_with()  # ldap.url is unset by default; no card was read
    (result,) = CheckRunner([c for c in ALL_CHECKS if c.code == "G04"], context).run()
    assert (result.status, result.outcome) == (CheckStatus.SKIPPED, "no_certificate")
    assert result.facts["url_source"] == "certificate"
    assert "ldap.url" in result.detail


def test_a_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        CheckRunner(
            [Check("G01", sleeper(0), after=("G02",)), Check("G02", sleeper(0), after=("G01",))],
            context_with(),
        )


def test_a_moot_prerequisite_makes_its_dependants_moot() -> None:
    results = {
        r.code: r
        for r in run(
            [
                Check("G04", lambda c: Outcome(CheckStatus.NOT_APPLICABLE, "multitrust")),
                Check("G08", sleeper(0), requires=("G04",)),
            ]
        )
    }
    assert results["G08"].status is CheckStatus.NOT_APPLICABLE
    assert "対象外" in results["G08"].detail


def test_closing_card_access_never_waits_for_a_stuck_job() -> None:
    from ndnclient.card.jobs import DirectCardAccess

    access = DirectCardAccess(lambda: None)  # type: ignore[arg-type,return-value]
    threading.Thread(target=lambda: access(lambda backend: time.sleep(5)), daemon=True).start()
    time.sleep(0.1)
    started = time.monotonic()
    access.close(timeout=0.2)
    assert time.monotonic() - started < 1


def test_g13_never_claims_a_route_nobody_tested() -> None:
    context = context_with({"proxy.url": "http://proxy.example.lg.jp:8080"})
    assert g13_proxy(context).key == "not_checked"


def test_g11_judges_the_reader_holding_the_card() -> None:
    from ndnclient.card.connection import ReaderSlot

    context = context_with()
    context.card.readers = ["Microsoft Virtual Smart Card 0", "SCR3310 0"]
    context.card.slot = ReaderSlot("SCR3310 0", card_present=True)
    assert g11_supported_reader(context).status is OK


def test_g06_a_switching_period_that_has_ended_is_not_reported() -> None:
    from datetime import date

    from ndnclient.card.info import CardInfo
    from ndnclient.diagnostics.checks import g06_settings_match

    old = {
        "card_number": "1111222233334444",
        "valid_from": "2024-11-01",
        "valid_to": "2026-10-31",
        "label": "",
    }
    new = {
        "card_number": "5555666677778888",
        "valid_from": "2026-10-02",
        "valid_to": "2028-10-31",
        "label": "",
    }
    context = context_with(cards=[old, new])
    context.card.info = CardInfo("5555666677778888", "x", date(2026, 10, 2), date(2028, 10, 31), 1)
    context._clock = lambda: datetime(2026, 11, 21, tzinfo=UTC)
    assert g06_settings_match(context).key == "ok"
    context._clock = lambda: datetime(2026, 10, 20, tzinfo=UTC)
    assert g06_settings_match(context).key == "switching"
