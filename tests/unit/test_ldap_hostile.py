"""G04's probe against hostile LDAP servers (issue 12): what it reads is bounded in bytes,
messages and elements as well as in time, and every answer ends in one of its verdicts.

The servers are those of the fuzz targets (`tests/fuzzing/ldap_servers.py`), on loopback.
Memory is measured in a child process (the high-water mark of its resident set above its
baseline, with an address-space limit so that a probe without a budget fails there instead
of taking the machine's memory); the bounds asserted are budgets, not speeds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ndnclient.diagnostics.checks import ALL_CHECKS
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.pki import ldap_repository
from ndnclient.pki.ldap_repository import ProbeReason, ProbeResult
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from tests.fuzzing.ldap_servers import (
    ARL,
    CRL,
    MARGIN,
    HostileServer,
    MiB,
    Peer,
    Repeat,
    Script,
    Tree,
    attribute,
    bind_response,
    crl_entry,
    entry_tree,
    integer,
    ldap_message,
    octets,
    probe,
    search_done,
    search_entry,
    serve_bad_crl,
    serve_deep_nesting,
    serve_early_close,
    serve_endless_entries,
    serve_garbage,
    serve_huge_crl,
    serve_huge_integer,
    serve_huge_length,
    serve_many_small_entries,
    serve_many_values,
    serve_trickle,
    serve_wrong_message_id,
    stream,
    tlv,
    valid_lists,
)

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BUDGET_MB = 100  # the target: the probe's peak above the process's baseline


def run(script: Script, case: dict[str, Any], deadline: float | None = None) -> ProbeResult:
    """The probe against a server running `script`; it must end within its bound + MARGIN."""
    with HostileServer(script) as server:
        result, took, bound = probe(server, case, deadline)
    assert took <= bound + MARGIN, f"{took:.2f} s > {bound:.1f} s + {MARGIN} s: {result.detail}"
    result.facts()  # G04 reports them
    return result


@pytest.fixture
def measured() -> Iterator[Any]:
    """`measured(script, case)`: the probe in a child process against a server here; returns
    its verdict, time, bound and peak memory above its baseline (MB)."""
    child = textwrap.dedent(
        """
        import json, resource, sys, time
        import cryptography.x509, ldap3
        import ndnclient.pki.untrusted
        from ndnclient.pki.ldap_repository import LdapProbe

        def status_kb(field):
            with open("/proc/self/status") as status:
                return next(int(l.split()[1]) for l in status if l.startswith(field + ":"))

        def peak_mb():
            # The resident set's high-water mark of this program (ru_maxrss would carry the
            # parent's over from the fork).
            return status_kb("VmHWM") / 1024

        size_kb = status_kb("VmSize")
        # 2 GB more address space than now: a probe without a budget fails here, not the PC.
        limit = (size_kb + 2 * 1024 * 1024) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        probe = LdapProbe(sys.argv[1], connect_timeout=0.5, receive_timeout=0.5)
        baseline = peak_mb()
        started = time.monotonic()
        result = probe.run()
        took = time.monotonic() - started
        print(json.dumps({
            "reason": result.reason.value if result.reason else None,
            "detail": result.detail,
            "took": took,
            "bound": probe.time_bound,
            "above_baseline_mb": peak_mb() - baseline,
        }))
        """
    )
    servers: list[HostileServer] = []

    def measure(script: Script, case: dict[str, Any]) -> dict[str, Any]:
        server = HostileServer(script).__enter__()
        servers.append(server)
        server.case = case
        done = subprocess.run(
            [sys.executable, "-c", child, server.url],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        measurement: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return measurement

    if not sys.platform.startswith("linux"):
        pytest.skip("measures memory through /proc and ru_maxrss (Linux)")
    yield measure
    for server in servers:
        server.__exit__(None, None, None)


# --- the budget: bytes, messages, elements ---------------------------------------------------


def test_endless_1mb_entries_are_too_large_in_time_and_in_bounded_memory(measured: Any) -> None:
    found = measured(serve_endless_entries, {"entry_size": MiB, "with_crl": True, "fill": 0})
    assert found["reason"] == "too_large", found["detail"]
    assert found["took"] <= found["bound"] + MARGIN
    assert found["above_baseline_mb"] < MEMORY_BUDGET_MB, found


def serve_big_value(peer: Peer, case: dict[str, Any]) -> None:
    """One entry, the real CRL and ARL and one more attribute of `size` bytes."""
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    crl, arl = valid_lists()
    filler = Tree(0x04, (Repeat(bytes([case["fill"]]) * 4096, case["size"] // 4096),))
    attributes: list[tuple[bytes, bytes | Repeat | Tree]] = [
        (CRL, octets(crl)),
        (ARL, octets(arl)),
        (b"description", filler),
    ]
    peer.send(stream(entry_tree(message_id, attributes)))
    peer.send(ldap_message(message_id, search_done()))
    peer.hold()


def test_an_answer_just_under_the_byte_budget_is_read_in_bounded_memory(measured: Any) -> None:
    # 15 MB in one value: the largest answer the probe takes whole, and then parses.
    found = measured(serve_big_value, {"size": 15 * MiB, "fill": 0x41})
    assert found["reason"] is None, found["detail"]
    assert found["above_baseline_mb"] < MEMORY_BUDGET_MB, found


def test_an_answer_past_the_byte_budget_is_too_large() -> None:
    result = run(serve_big_value, {"size": 17 * MiB, "fill": 0})
    assert result.reason is ProbeReason.TOO_LARGE
    assert "16 MB" in result.detail


def test_a_real_answer_with_a_large_extra_value_is_ok() -> None:
    result = run(serve_big_value, {"size": 4 * MiB, "fill": 0x30})
    assert result.reason is None, result.detail
    assert result.crl is not None
    assert result.arl is not None


def test_100000_small_entries_are_not_ok() -> None:
    result = run(serve_many_small_entries, {"count": 100_000, "value_size": 10, "done": True})
    assert result.reason is ProbeReason.TOO_LARGE
    assert "LDAP messages" in result.detail


def test_an_entry_of_many_tiny_values_is_too_large_before_ldap3_decodes_it() -> None:
    # 300,000 two-byte values: 600 KB, but ldap3 would make a million Python objects of them.
    result = run(serve_many_values, {"values": 300_000, "value_size": 0, "attribute": CRL})
    assert result.reason is ProbeReason.TOO_LARGE
    assert "BER elements" in result.detail


def test_a_crl_of_too_many_entries_is_too_large_and_a_real_one_is_not() -> None:
    assert run(serve_huge_crl, {"entries": 150_000}).reason is ProbeReason.TOO_LARGE
    assert run(serve_huge_crl, {"entries": 1_000}).reason is None


# --- BER lengths, integers, nesting ---------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "then", "reasons"),
    [
        ("search", "close", {ProbeReason.NO_RESPONSE}),
        ("search", "stream", {ProbeReason.TOO_LARGE}),
        ("bind", "stream", {ProbeReason.TOO_LARGE}),
        ("search", "hold", {ProbeReason.NO_RESPONSE}),
        ("value", "close", {ProbeReason.BAD_CRL, ProbeReason.NO_RESPONSE}),
    ],
)
def test_a_length_claiming_2_gb_ends_in_a_verdict(
    where: str, then: str, reasons: set[ProbeReason]
) -> None:
    case = {"where": where, "length_octets": 4, "claim": 2**31, "then": then, "burst": b""}
    result = run(serve_huge_length, case)
    assert result.reason in reasons, result.detail


@pytest.mark.parametrize("where", ["bind", "entry", "done"])
def test_an_integer_of_64_kb_is_not_ldap_and_costs_no_time(where: str) -> None:
    # ldap3 decodes an INTEGER in quadratic time: a long one would hold the probe for minutes.
    case = {"where": where, "field": "message_id", "octets": 64 * 1024, "fill": 0x7F}
    result = run(serve_huge_integer, case)
    assert result.reason is ProbeReason.NO_RESPONSE
    assert "integer of 65536 octets" in result.detail


def test_deep_nesting_is_not_ldap() -> None:
    result = run(serve_deep_nesting, {"depth": 100_000, "tag": 0x31})
    assert result.reason is ProbeReason.NO_RESPONSE
    assert "nested" in result.detail


# --- garbage, early ends, wrong answers -----------------------------------------------------


@pytest.mark.parametrize("stage", ["at_once", "bind", "search"])
def test_garbage_is_not_ldap(stage: str) -> None:
    data = random.Random(stage).randbytes(3000)  # noqa: S311 - repeatable garbage, no secret
    result = run(serve_garbage, {"stage": stage, "data": data, "then": "close"})
    assert result.reason is ProbeReason.NO_RESPONSE


def test_a_trickle_ends_at_the_deadline() -> None:
    result = run(serve_trickle, {"stage": "search", "interval": 0.05}, deadline=1.0)
    assert result.reason is ProbeReason.NO_RESPONSE
    assert "deadline" in result.detail


@pytest.mark.parametrize("cut", [0.0, 0.2, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("how", ["close", "reset"])
def test_an_early_close_is_no_response(cut: float, how: str) -> None:
    result = run(serve_early_close, {"cut": cut, "how": how})
    assert result.reason is ProbeReason.NO_RESPONSE, result.detail


@pytest.mark.parametrize("which", ["bind", "entry", "done"])
def test_a_wrong_message_id_is_not_ldap(which: str) -> None:
    result = run(serve_wrong_message_id, {"which": which, "id": 77, "offset": 1})
    assert result.reason is ProbeReason.NO_RESPONSE
    assert "not LDAP" in result.detail


def test_a_referral_is_reported_not_followed() -> None:
    with HostileServer(serve_garbage) as elsewhere:
        elsewhere.case = {"stage": "at_once", "data": b"", "then": "close"}
        url = elsewhere.url.encode()

        def refer(peer: Peer, _case: dict[str, Any]) -> None:
            message_id = peer.request()
            peer.send(ldap_message(message_id, bind_response()))
            message_id = peer.request()
            peer.send(ldap_message(message_id, search_done(10, [url])))
            peer.hold()

        result = run(refer, {})
        assert elsewhere.accepted == 0
    assert result.reason is ProbeReason.NO_CRL
    assert "referral" in result.detail


def test_a_crl_attribute_that_is_not_a_crl_is_bad_crl() -> None:
    crl, arl = valid_lists()
    result = run(serve_bad_crl, {"crl": b"\x30\x03\x02\x01\x01", "arl": arl})
    assert result.reason is ProbeReason.BAD_CRL
    result = run(serve_bad_crl, {"crl": crl[: len(crl) // 2], "arl": arl})
    assert result.reason is ProbeReason.BAD_CRL


# --- the meter itself -----------------------------------------------------------------------


def exchange() -> bytes:
    crl, arl = valid_lists()
    return (
        ldap_message(1, bind_response())
        + ldap_message(2, crl_entry(crl, arl))
        + ldap_message(2, search_done())
    )


@pytest.mark.parametrize("seed", range(5))
def test_the_meter_releases_whole_messages_however_the_bytes_arrive(seed: int) -> None:
    data, rng = exchange(), random.Random(seed)  # noqa: S311 - repeatable splits, no secret
    meter = ldap_repository._AnswerMeter(deadline=float("inf"))
    released, position = b"", 0
    while position < len(data):
        size = rng.choice([1, 2, 7, rng.randint(1, 4096)])
        chunk = meter.feed(data[position : position + size])
        position += size
        if chunk:
            assert ldap_repository.message_length(bytearray(chunk)) is not None
        released += chunk
    assert released == data
    assert (meter.messages, meter.problem) == (3, None)
    assert meter.bytes_read == len(data)
    assert meter.elements < 50  # a real exchange is far below the budget of 1,000


def test_the_meter_counts_a_message_from_its_header() -> None:
    # The ninth message is refused from its header, before its body arrives.
    meter = ldap_repository._AnswerMeter(deadline=float("inf"))
    small = ldap_message(2, search_entry([attribute(b"cn", [b"x"])]))
    meter.feed(ldap_message(1, bind_response()) + small * 7)
    with pytest.raises(OSError, match="more than 8 LDAP messages"):
        meter.feed(b"\x30\x84\x7f\xff\xff\xff")
    assert meter.problem is not None
    assert meter.problem[0] is ProbeReason.TOO_LARGE


def test_the_meter_walks_every_region_ldap3_decodes_even_after_a_cut_header() -> None:
    # ldap3 decodes the SET of tiny values before it trips over the cut header after it.
    values = tlv(0x31, octets(b"") * 5000)
    meter = ldap_repository._AnswerMeter(deadline=float("inf"))
    with pytest.raises(OSError, match="BER elements"):
        meter.feed(tlv(0x30, integer(2) + values + b"\x04"))


# --- G04 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_g04_says_too_large_in_a_sentence(lang: str) -> None:
    with HostileServer(serve_endless_entries) as server:
        server.case = {"entry_size": 64 * 1024, "with_crl": False, "fill": 1}
        settings = merge(
            {"ldap.url": server.url, "ldap.connect_timeout": 1, "ldap.receive_timeout": 1},
            Policy(),
        )
        context = CheckContext(settings, lambda job: job(None), lang=lang)
        (result,) = CheckRunner([c for c in ALL_CHECKS if c.code == "G04"], context).run()
    assert (result.status, result.outcome) == (CheckStatus.FAIL, "too_large")
    assert "127.0.0.1" in result.detail
    assert result.remedy
    assert ("打ち切りました" if lang == "ja" else "stopped reading") in result.detail
