"""Issue 13: with `ldap.url` unset, G04 and G08 use the CA repository named in the card
certificate's CRL distribution points (RFC 4516 URLs), against a real slapd."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.diagnostics.model import CheckStatus
from ndnclient.simulator.repository import free_port as closed_port
from ndnclient.simulator.testca import TestCA
from tests.integration.ldap_server import RepositoryEntry, Slapd
from tests.integration.support import CA_CN, Setup, run_cli
from tests.integration.test_operation_check import run_checks

pytestmark = pytest.mark.integration

OK, FAIL, SKIPPED = CheckStatus.OK, CheckStatus.FAIL, CheckStatus.SKIPPED
# The CA's entry, its spaces written %20 as a certificate writes them.
ENTRY_PATH = f"cn={CA_CN},o=ndnclient test,c=JP".replace(" ", "%20")


def point(port: int, path: str = ENTRY_PATH) -> str:
    return f"ldap://127.0.0.1:{port}/{path}?certificateRevocationList;binary"


def with_points(healthy: Callable[..., Setup], *points: str, server: Slapd | None = None) -> Setup:
    """A healthy setup whose card certificate names `points`, and no `ldap.url`."""
    setup = healthy(start_server=False, card_options={"crl_distribution_points": list(points)})
    assert setup.service.load()[0].ldap_url == ""
    return setup


def test_the_certificates_distribution_point_serves_g04_and_g08(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    server = repository()
    with_points(healthy, point(server.port))
    results = run_checks(("G04", "G08"))
    g04, g08 = results["G04"], results["G08"]
    assert (g04.status, g04.outcome) == (OK, "ok"), g04.facts
    assert g04.facts["url_source"] == "certificate"
    assert g04.facts["port"] == server.port
    assert g04.facts["base_dn"] == f"cn={CA_CN},o=ndnclient test,c=JP"
    assert g04.facts["distribution_points"] == [point(server.port)]
    assert [t["reason"] for t in g04.facts["tried"]] == [None]
    assert (g08.status, g08.outcome) == (OK, "ok"), g08.facts


def test_an_ipv6_repository_on_a_port_of_its_own(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    server = repository(host="::1")
    with_points(
        healthy, f"ldap://[::1]:{server.port}/{ENTRY_PATH}?certificateRevocationList;binary"
    )
    results = run_checks(("G04", "G08"))
    g04 = results["G04"]
    assert (g04.status, g04.outcome) == (OK, "ok"), g04.facts
    assert g04.facts["host"] == "::1"
    assert g04.facts["port"] == server.port
    assert results["G08"].status is OK, results["G08"].facts


def test_an_entry_with_the_crl_alone_is_told_as_such(
    healthy: Callable[..., Setup], shared_ca: TestCA, tmp_path: Path
) -> None:
    # The certificate's URL names the CRL attribute only; the entry holds no ARL.
    crl = shared_ca.issue_crl().public_bytes(Encoding.DER)
    server = Slapd(tmp_path / "crl-only", [RepositoryEntry(CA_CN, crl=crl)]).start()
    try:
        with_points(healthy, point(server.port))
        results = run_checks(("G04", "G08"))
    finally:
        server.stop()
    g04 = results["G04"]
    assert (g04.status, g04.outcome) == (OK, "ok_crl_only"), g04.facts
    assert "（CRL）" in g04.detail
    assert results["G08"].status is OK, results["G08"].facts


def test_a_dead_first_distribution_point_gives_way_to_the_second(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    server = repository()
    dead = closed_port()
    with_points(healthy, point(dead), point(server.port))
    results = run_checks(("G04", "G08"))
    g04 = results["G04"]
    assert g04.status is OK, g04.facts
    assert g04.facts["port"] == server.port
    assert [(t["url"].split("/")[2], t["reason"]) for t in g04.facts["tried"]] == [
        (f"127.0.0.1:{dead}", "refused"),
        (f"127.0.0.1:{server.port}", None),
    ]
    assert results["G08"].status is OK, results["G08"].facts


def test_a_url_in_the_settings_wins_over_the_certificate(
    healthy: Callable[..., Setup], repository: Callable[..., Slapd]
) -> None:
    server = repository()
    setup = with_points(healthy, point(closed_port()))
    setup.set("ldap.url", f"ldap://127.0.0.1:{server.port}/cn={CA_CN},o=ndnclient test,c=JP")
    results = run_checks(("G04", "G08"))
    g04 = results["G04"]
    assert g04.status is OK, g04.facts
    assert g04.facts["url_source"] == "settings"
    assert [t["url"].split("/")[2] for t in g04.facts["tried"]] == [f"127.0.0.1:{server.port}"]
    assert results["G08"].status is OK


def test_no_distribution_point_and_no_url_skip_g04_with_a_sentence_and_never_fail(
    healthy: Callable[..., Setup],
) -> None:
    with_points(healthy)
    result = run_cli("check", "--json")
    by_code = {r["code"]: r for r in result.json()["results"]}
    g04 = by_code["G04"]
    assert (g04["status"], g04["outcome"]) == ("skipped", "no_distribution_point")
    assert "CRL配布点" in g04["detail"]
    assert "ldap.url" in g04["detail"]
    assert g04["facts"]["url_source"] == "certificate"
    assert by_code["G08"]["status"] == "skipped"
    assert "fail" not in {r["status"] for r in by_code.values()}, by_code
    assert result.code == 0, result.stdout + result.stderr


def test_done_when_empty_settings_the_ca_in_ssl_cert_file_only(
    healthy: Callable[..., Setup],
    repository: Callable[..., Slapd],
    shared_ca: TestCA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 13's "done when": no ldap.url, no trust.anchor_files; the CA's root only in the
    # bundle SSL_CERT_FILE names; the repository only in the certificate.
    server = repository()
    setup = with_points(healthy, point(server.port))
    setup.set("trust.anchor_files", [])
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(shared_ca.certificate.public_bytes(Encoding.PEM))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-folder"))
    results = run_checks(("G04", "G08", "G09"))
    for code in ("G04", "G08", "G09"):
        assert results[code].status is OK, (code, results[code].facts)
    assert results["G09"].facts["anchor_source"] == "system_file"
    assert results["G04"].facts["url_source"] == "certificate"
    # Once the CRL lists the card, G08 fails (the list served where the certificate points).
    serial = setup.card.state.user_certificate().serial_number
    listed = shared_ca.issue_crl([(serial, datetime.now(UTC) - timedelta(days=1))])
    server.stop()
    revoked = Slapd(
        tmp_path / "revoked",
        [RepositoryEntry(CA_CN, crl=listed.public_bytes(Encoding.DER))],
        port=server.port,
    ).start()
    try:
        g08 = run_checks(("G08",))["G08"]
    finally:
        revoked.stop()
    assert (g08.status, g08.outcome) == (FAIL, "revoked"), g08.facts
