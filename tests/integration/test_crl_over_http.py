"""Issue 13: G08 takes the CRL from the certificate's http:// distribution point when the LDAP
repository gives none (a real HTTP server on loopback); G04 still reports LDAP's verdict."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.diagnostics.model import CheckStatus
from ndnclient.simulator.repository import free_port as closed_port
from ndnclient.simulator.testca import TestCA
from tests.integration.support import Setup
from tests.integration.test_operation_check import run_checks
from tests.integration.test_repository_from_certificate import point, with_points

pytestmark = pytest.mark.integration

OK, FAIL, SKIPPED = CheckStatus.OK, CheckStatus.FAIL, CheckStatus.SKIPPED


class CrlServer(http.server.ThreadingHTTPServer):
    """Serves `body` at /ca.crl (404 elsewhere), and counts the requests."""

    body = b""
    requests = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    server: CrlServer

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.path != "/ca.crl":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def crl_server() -> Iterator[CrlServer]:
    server = CrlServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def http_point(server: CrlServer, path: str = "/ca.crl") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_ldap_blocked_the_http_point_gives_g08_its_crl(
    healthy: Callable[..., Setup], crl_server: CrlServer, shared_ca: TestCA
) -> None:
    crl_server.body = shared_ca.issue_crl().public_bytes(Encoding.DER)
    with_points(healthy, point(closed_port()), http_point(crl_server))
    results = run_checks(("G04", "G08"))
    g04, g08 = results["G04"], results["G08"]
    assert (g04.status, g04.outcome) == (FAIL, "refused")  # LDAP's own verdict stands
    assert (g08.status, g08.outcome) == (OK, "ok_over_http"), g08.facts
    assert g08.facts["crl_source"] == "http"
    assert g08.facts["crl_url"] == http_point(crl_server)
    assert http_point(crl_server) in g08.detail
    assert crl_server.requests == 1


def test_a_revoked_certificate_is_found_over_http_too(
    healthy: Callable[..., Setup], crl_server: CrlServer, shared_ca: TestCA
) -> None:
    setup = with_points(healthy, point(closed_port()), http_point(crl_server))
    serial = setup.card.state.user_certificate().serial_number
    revoked = shared_ca.issue_crl([(serial, datetime.now(UTC).replace(microsecond=0))])
    crl_server.body = revoked.public_bytes(Encoding.DER)
    g08 = run_checks(("G08",))["G08"]
    assert (g08.status, g08.outcome) == (FAIL, "revoked"), g08.facts


def test_a_dead_or_wrong_http_point_leaves_g08_skipped_with_what_was_tried(
    healthy: Callable[..., Setup], crl_server: CrlServer
) -> None:
    crl_server.body = b"not a CRL"
    with_points(
        healthy,
        point(closed_port()),
        http_point(crl_server, "/missing.crl"),
        http_point(crl_server),
    )
    g08 = run_checks(("G08",))["G08"]
    assert (g08.status, g08.outcome) == (SKIPPED, "no_crl"), g08.facts
    errors = [t["error"] for t in g08.facts["tried"]]
    assert "HTTP 404" in errors[0]
    assert "CRL" in errors[1]
