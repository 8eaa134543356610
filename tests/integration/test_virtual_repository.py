"""The virtual card's own CA repository (`ndnclient simulator --repository-port`): the card's
certificate names it, and the real probe (LDAP) and the http fetch get a CRL the test CA
signed from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ndnclient.cli.simulator import _start_repository
from ndnclient.pki.http_crl import fetch_crl
from ndnclient.pki.ldap_repository import LdapProbe, parse_ldap_url
from ndnclient.simulator.repository import distribution_point, free_port
from ndnclient.simulator.state import create_state, load_state, save_state
from ndnclient.simulator.testca import crl_distribution_points_of

pytestmark = pytest.mark.integration


def test_the_repository_beside_the_card_serves_what_its_certificate_names(
    tmp_path: Path,
) -> None:
    port = free_port()
    path = tmp_path / "card.json"
    state = create_state(kdf_iterations=1)
    save_state(state, path)
    assert crl_distribution_points_of(state.user_certificate()) == ()
    repository = _start_repository(state, port, path)
    assert repository is not None
    try:
        # The certificate was issued again with both points, and the state file keeps it.
        ldap_point, http_point = crl_distribution_points_of(load_state(path).user_certificate())
        assert ldap_point == distribution_point(port)
        assert http_point == f"http://127.0.0.1:{port + 1}/ca.crl"
        result = LdapProbe(parse_ldap_url(ldap_point), connect_timeout=2, receive_timeout=2).run()
        assert result.ok, result.facts()
        assert result.crl is not None
        assert result.crl.is_signature_valid(state.test_ca().key.public_key())
        assert result.crl.next_update_utc is not None
        assert result.crl.next_update_utc > datetime.now(UTC)
        over_http = fetch_crl(http_point, connect_timeout=2, receive_timeout=2)
        assert over_http.tbs_certlist_bytes == result.crl.tbs_certlist_bytes  # the same list
    finally:
        repository.stop()
    assert not repository.ldap.folder.exists()


def test_a_port_already_taken_leaves_the_card_running_without_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = create_state(kdf_iterations=1)
    first = _start_repository(state, free_port(), None)
    assert first is not None
    try:
        assert _start_repository(state, first.ldap.port, None) is None
        assert "did not start" in capsys.readouterr().err
    finally:
        first.stop()
