"""The virtual card's own CA repository (`ndnclient simulator --repository-port`): the card's
certificate names it, and the real probe gets a CRL and an ARL the test CA signed from it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ndnclient.cli.simulator import _start_repository
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
    server = _start_repository(state, port, path)
    assert server is not None
    try:
        # The certificate was issued again with the point, and the state file keeps it.
        point = distribution_point(port)
        assert crl_distribution_points_of(load_state(path).user_certificate()) == (point,)
        result = LdapProbe(parse_ldap_url(point), connect_timeout=2, receive_timeout=2).run()
        assert result.ok, result.facts()
        assert result.crl is not None
        assert result.crl.is_signature_valid(state.test_ca().key.public_key())
        assert result.crl.next_update_utc is not None
        assert result.crl.next_update_utc > datetime.now(UTC)
    finally:
        server.stop()
        shutil.rmtree(server.folder)


def test_a_port_already_taken_leaves_the_card_running_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = create_state(kdf_iterations=1)
    first = _start_repository(state, free_port(), None)
    assert first is not None
    try:
        assert _start_repository(state, first.port, None) is None
        assert "did not start" in capsys.readouterr().err
    finally:
        first.stop()
        shutil.rmtree(first.folder)
