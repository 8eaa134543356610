"""The CA repository from the card's certificate (issue 13): RFC 4516 LDAP URLs, the CRL
distribution points, the settings key left unset, and G04's choice of repository."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from ndnclient.diagnostics.checks import ALL_CHECKS, g04_bound, g04_ldap
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.errors import UserFacingError
from ndnclient.messages import Messages
from ndnclient.pki.ldap_repository import (
    ARL_ATTRIBUTE,
    CRL_ATTRIBUTE,
    LdapTarget,
    LdapUrlError,
    _Failed,
    _values,
    distribution_point_uris,
    ldap_distribution_points,
    parse_ldap_url,
)
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.keys import DEFAULT_LDAP_URL, KEYS
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.repository import free_port as closed_port
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA, generate_rsa_key, issue_user_certificate

CA_DN = "cn=ndnclient Test GoSign CA,o=ndnclient test,c=JP"


# --- RFC 4516 --------------------------------------------------------------------------------


def test_a_distribution_point_url_with_a_percent_encoded_space_and_binary() -> None:
    target = parse_ldap_url(
        "ldap://127.0.0.1:10389/cn=ndnclient%20Test%20GoSign%20CA,o=ndnclient%20test,c=JP"
        "?certificateRevocationList;binary"
    )
    assert target == LdapTarget(
        "ldap", "127.0.0.1", 10389, CA_DN, ("certificateRevocationList;binary",)
    )
    assert target.crl_attribute == CRL_ATTRIBUTE
    assert not target.arl_required


def test_literal_spaces_and_percent_escapes_in_the_dn() -> None:
    target = parse_ldap_url("ldap://repo.example.jp/cn=A B%2CC,o=%E9%9B%BB%E5%AD%90,c=JP")
    assert target.base_dn == "cn=A B,C,o=電子,c=JP"
    assert (target.port, target.attributes) == (389, ())
    assert target.arl_required  # no attribute named: the entry must hold both lists


def test_an_ipv6_literal_and_the_default_ports() -> None:
    assert parse_ldap_url("ldap://[::1]/o=x").host == "::1"
    assert parse_ldap_url("ldap://[::1]:3890/o=x").port == 3890
    assert parse_ldap_url("LDAPS://[2001:DB8::1]/o=x") == LdapTarget(
        "ldaps", "2001:db8::1", 636, "o=x"
    )
    assert parse_ldap_url("ldap://[::1]:3890/o=x").describe() == "ldap://[::1]:3890/o=x"


def test_the_missing_parts_take_their_defaults() -> None:
    assert parse_ldap_url("ldap://host/o=x?") == LdapTarget("ldap", "host", 389, "o=x")
    assert parse_ldap_url("ldap://host/o=x???") == LdapTarget("ldap", "host", 389, "o=x")
    target = parse_ldap_url("ldap://host/o=x?certificateRevocationList;binary?base?(objectClass=*)")
    assert target.attributes == ("certificateRevocationList;binary",)
    # A non-critical extension the probe does not know is ignored (RFC 4516 2.1).
    assert parse_ldap_url("ldap://host/o=x????x-hint=1").base_dn == "o=x"


def test_naming_the_arl_requires_it_and_another_attribute_is_read_as_the_crl() -> None:
    both = parse_ldap_url(f"ldap://h/o=x?{CRL_ATTRIBUTE},{ARL_ATTRIBUTE}")
    assert both.arl_required
    assert both.crl_attribute == CRL_ATTRIBUTE
    plain = parse_ldap_url("ldap://h/o=x?certificateRevocationList")
    assert plain.crl_attribute == "certificateRevocationList"
    assert not plain.arl_required


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://h/o=x",
        "ldap:/h/o=x",
        "ldap://h",
        "ldap://h/",
        "ldap:///o=x",  # no host: the probe has no default server
        "ldap://h:/o=x",
        "ldap://h:0/o=x",
        "ldap://h:65536/o=x",
        "ldap://h:３８９/o=x",
        "ldap://user@h/o=x",
        "ldap://[::1/o=x",
        "ldap://[not-v6]/o=x",
        "ldap://[::1]x/o=x",
        "ldap://h h/o=x",
        "ldap://h/o=x%2",
        "ldap://h/o=%ff",
        "ldap://h/o=x?cn=bad attr",
        "ldap://h/o=x??sub",
        "ldap://h/o=x????!x-critical",
        "ldap://h/o=x?????",
        "ldap://h/o=x#frag",
        "ldap://h/o=x\n",
        "ldap://h/" + "a" * 3000,
    ],
)
def test_garbage_is_a_clear_project_error(url: str) -> None:
    with pytest.raises(LdapUrlError) as caught:
        parse_ldap_url(url)
    assert isinstance(caught.value, UserFacingError)
    assert str(caught.value)  # the technical detail, for the facts
    assert Messages("ja").describe(caught.value)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.builds(
            "ldap://{}{}".format,
            st.text(alphabet="[]:%@/?,;!#.-=xX0123456789 \u00e9", max_size=20),
            st.text(max_size=40),
        ),
    )
)
def test_any_text_gives_a_target_or_the_projects_error(url: str) -> None:
    try:
        target = parse_ldap_url(url)
    except LdapUrlError:
        return
    assert target.scheme in ("ldap", "ldaps")
    assert target.host
    assert target.base_dn
    assert 0 < target.port < 65536


def test_not_text_is_a_clear_error_too() -> None:
    with pytest.raises(LdapUrlError):
        parse_ldap_url(b"ldap://h/o=x")  # type: ignore[arg-type]


def test_an_attribute_is_found_whatever_its_options() -> None:
    assert _values({"certificateRevocationList": [b"x"]}, CRL_ATTRIBUTE) == [b"x"]
    assert _values({"CERTIFICATEREVOCATIONLIST;BINARY": [b"y"]}, CRL_ATTRIBUTE) == [b"y"]
    assert _values({ARL_ATTRIBUTE: [b"z"]}, CRL_ATTRIBUTE) is None


def test_an_absent_crl_is_no_crl() -> None:
    from ndnclient.pki.ldap_repository import ProbeReason, _parse_list

    with pytest.raises(_Failed) as caught:
        _parse_list({ARL_ATTRIBUTE: [b"x"]}, CRL_ATTRIBUTE)
    assert caught.value.reason is ProbeReason.NO_CRL


# --- the certificate's distribution points ------------------------------------------------


def certificate(points: tuple[str, ...] = ()) -> x509.Certificate:
    today = date.today()
    return issue_user_certificate(
        TestCA.generate(),
        generate_rsa_key().public_key(),
        "電子 花子",
        "9392000012345678",
        today,
        today + timedelta(days=30),
        points,
    )


def test_the_ldap_uris_in_the_certificates_order() -> None:
    points = ("http://crl.example.jp/ca.crl", "ldap://a/o=x", "LDAPS://b/o=y")
    issued = certificate(points)
    assert distribution_point_uris(issued) == list(points)
    assert ldap_distribution_points(issued) == ["ldap://a/o=x", "LDAPS://b/o=y"]
    assert ldap_distribution_points(certificate()) == []


def test_the_virtual_card_carries_its_distribution_points_and_keeps_them_on_reissue() -> None:
    url = "ldap://127.0.0.1:389/cn=x?certificateRevocationList;binary"
    state = create_state(kdf_iterations=1000, crl_distribution_points=[url])
    assert ldap_distribution_points(state.user_certificate()) == [url]
    state.reissue_certificate()
    assert ldap_distribution_points(state.user_certificate()) == [url]
    assert ldap_distribution_points(create_state(kdf_iterations=1000).user_certificate()) == []


# --- the settings key ---------------------------------------------------------------------------


def test_ldap_url_is_unset_by_default_and_empty_means_unset() -> None:
    assert DEFAULT_LDAP_URL == ""
    rule = KEYS["ldap.url"].normalize
    assert rule("") == ""
    assert rule("  ") == ""
    assert rule("ldap://h/o=x") == "ldap://h:389/o=x"
    for bad in ("ldap://h", "ldap://h/o=x?cn", None, 5):
        with pytest.raises(InvalidValueError):
            rule(bad)


# --- G04's choice ---------------------------------------------------------------------------


def context(
    points: tuple[str, ...] | None,
    *,
    policy: dict[str, Any] | None = None,
    lang: str = "ja",
    user: dict[str, Any] | None = None,
) -> CheckContext:
    settings = merge(
        {"ldap.connect_timeout": 1, "ldap.receive_timeout": 1, **(user or {})},
        Policy(presets=policy or {}),
    )
    result = CheckContext(settings, lambda job: job(None), lang=lang)
    if points is not None:
        result.card.certificate = certificate(points)
    return result


def test_g04_waits_for_the_certificate_g03_reads() -> None:
    (g04,) = [c for c in ALL_CHECKS if c.code == "G04"]
    assert "G03" in g04.after
    assert "G03" not in g04.requires


def test_a_certificate_without_an_ldap_distribution_point_skips_g04() -> None:
    for lang, words in (("ja", "CRL配布点"), ("en", "distribution point")):
        checked = context(("http://crl.example.jp/ca.crl",), lang=lang)
        g04 = [c for c in ALL_CHECKS if c.code == "G04"]
        (result,) = CheckRunner(g04, checked).run()
        assert (result.status, result.outcome) == (CheckStatus.SKIPPED, "no_distribution_point")
        assert result.facts["distribution_points"] == ["http://crl.example.jp/ca.crl"]
        assert result.facts["url_source"] == "certificate"
        assert words in result.detail
        assert "ldap.url" in result.detail  # skipped: no remedy is shown, the detail says it
        assert checked.ldap is None


def test_a_certificate_whose_ldap_points_do_not_parse_skips_g04_and_lists_them() -> None:
    outcome = g04_ldap(context(("ldap://h/o=x??sub", "ldap:///o=x")))
    assert (outcome.status, outcome.key) == (CheckStatus.SKIPPED, "bad_distribution_point")
    assert [t["reason"] for t in outcome.facts["tried"]] == ["bad_url", "bad_url"]


def test_every_distribution_point_is_tried_and_the_first_ones_verdict_stays() -> None:
    first, second = closed_port(), closed_port()
    checked = context(
        (f"ldap://127.0.0.1:{first}/o=x", "ldap://h/o=x??sub", f"ldap://127.0.0.1:{second}/o=y")
    )
    assert g04_bound(checked) == pytest.approx(2 * (1 + 1 + 2 * 1) + 1)
    outcome = g04_ldap(checked)
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "refused")
    assert outcome.facts["port"] == first
    assert [(t["url"], t["reason"]) for t in outcome.facts["tried"]] == [
        (f"ldap://127.0.0.1:{first}/o=x", "refused"),
        ("ldap://h/o=x??sub", "bad_url"),
        (f"ldap://127.0.0.1:{second}/o=y", "refused"),
    ]
    assert checked.ldap is not None
    assert checked.ldap.target.port == first


def test_a_configured_url_wins_and_says_where_it_came_from() -> None:
    port = closed_port()
    user = context(
        ("ldap://127.0.0.1:1/o=cert",), user={"ldap.url": f"ldap://127.0.0.1:{port}/o=u"}
    )
    outcome = g04_ldap(user)
    assert outcome.facts["url_source"] == "settings"
    assert [t["url"] for t in outcome.facts["tried"]] == [f"ldap://127.0.0.1:{port}/o=u"]
    assert "distribution_points" not in outcome.facts
    policy = context(None, policy={"ldap.url": f"ldap://127.0.0.1:{port}/o=p"})
    outcome = g04_ldap(policy)
    assert (outcome.key, outcome.facts["url_source"]) == ("refused", "policy")


def test_with_a_configured_url_g04_does_not_wait_for_the_card() -> None:
    from ndnclient.diagnostics.checks import checks_for
    from ndnclient.diagnostics.runner import with_prerequisites

    unset = context(None).settings
    assert checks_for(unset) == ALL_CHECKS
    configured = context(None, user={"ldap.url": "ldap://127.0.0.1/o=x"}).settings
    assert [c.code for c in with_prerequisites(checks_for(configured), ["G04"])] == ["G04"]
    assert [c.code for c in checks_for(configured)] == [c.code for c in ALL_CHECKS]
