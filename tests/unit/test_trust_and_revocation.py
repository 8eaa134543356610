"""Chains (G09) and revocation (G08) with generated CAs: verify before believing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient.diagnostics.checks import g08_revocation
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.pki.ldap_repository import LdapTarget, ProbeResult
from ndnclient.pki.trust import AnchorSet, ChainProblem, verify_chain
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.testca import TestCA, issue_user_certificate

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()


def user_certificate(ca: TestCA, key: rsa.RSAPrivateKey) -> x509.Certificate:
    return issue_user_certificate(
        ca,
        key.public_key(),
        "電子 花子",
        "9392000012345678",
        TODAY - dt.timedelta(days=10),
        TODAY + dt.timedelta(days=700),
    )


def reissued(ca: TestCA, *, days: int, key_cert_sign: bool = True) -> x509.Certificate:
    """The same CA (name and key), self-signed again with another validity."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(ca.certificate.subject)
        .issuer_name(ca.certificate.subject)
        .public_key(ca.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=400))
        .not_valid_after(NOW + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, key_cert_sign, True, False, False),
            critical=True,
        )
    )
    return builder.sign(ca.key, hashes.SHA256())


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.generate()


@pytest.fixture(scope="module")
def user(ca: TestCA) -> x509.Certificate:
    return user_certificate(ca, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def test_a_chain_to_an_anchor(ca: TestCA, user: x509.Certificate) -> None:
    result = verify_chain(user, [ca.certificate], [], NOW)
    assert result.trusted
    assert result.issuer == ca.certificate


def test_no_anchors_and_unknown_issuer(ca: TestCA, user: x509.Certificate) -> None:
    assert verify_chain(user, [], [], NOW).problem is ChainProblem.NO_ANCHORS
    stranger = TestCA.generate(common_name="Stranger CA")
    assert verify_chain(user, [stranger.certificate], [], NOW).problem is (
        ChainProblem.UNKNOWN_ISSUER
    )


def test_the_cards_ca_certificate_is_an_intermediate_never_an_anchor(
    ca: TestCA, user: x509.Certificate
) -> None:
    result = verify_chain(user, [TestCA.generate().certificate], [ca.certificate], NOW)
    assert not result.trusted
    assert result.problem is ChainProblem.UNKNOWN_ISSUER


def test_an_expired_copy_of_an_anchor_does_not_hide_the_valid_one(
    ca: TestCA, user: x509.Certificate
) -> None:
    expired = reissued(ca, days=-1)
    assert verify_chain(user, [expired], [], NOW).problem is ChainProblem.CA_EXPIRED
    result = verify_chain(user, [expired, reissued(ca, days=300)], [], NOW)
    assert result.trusted


def test_a_ca_without_key_cert_sign_is_not_a_ca(ca: TestCA, user: x509.Certificate) -> None:
    result = verify_chain(user, [reissued(ca, days=300, key_cert_sign=False)], [], NOW)
    assert result.problem is ChainProblem.NOT_A_CA


def g08_on(
    ca: TestCA,
    user: x509.Certificate,
    crl: Any,
    arl: Any = None,
    anchors: tuple[x509.Certificate, ...] | None = None,
) -> Any:
    context = CheckContext(merge({}, Policy()), lambda job: job(None))
    context.card.certificate = user
    context.ldap = ProbeResult(LdapTarget("ldap", "h", 389, "x"), crl=crl, arl=arl)
    trusted = anchors if anchors is not None else (ca.certificate,)
    context._anchors = AnchorSet(trusted, ())
    context.chain = verify_chain(user, trusted, [], NOW)
    return g08_revocation(context)


def test_g08_ok_and_revoked(ca: TestCA, user: x509.Certificate) -> None:
    assert g08_on(ca, user, ca.issue_crl()).status is CheckStatus.OK
    revoked = g08_on(ca, user, ca.issue_crl([(user.serial_number, NOW)]))
    assert (revoked.status, revoked.key) == (CheckStatus.FAIL, "revoked")


def test_g08_does_not_believe_a_list_nobody_can_verify(ca: TestCA, user: x509.Certificate) -> None:
    impostor = TestCA.generate(common_name="ndnclient Test GoSign CA")
    forged = impostor.issue_crl([(user.serial_number, NOW)])  # "revoked", by someone else
    outcome = g08_on(ca, user, forged)
    assert (outcome.status, outcome.key) == (CheckStatus.WARN, "bad_signature")
    assert outcome.facts["listed"] is True


def test_g08_stale_crl(ca: TestCA, user: x509.Certificate) -> None:
    stale = ca.issue_crl(
        this_update=NOW - dt.timedelta(days=9), next_update=NOW - dt.timedelta(days=1)
    )
    assert g08_on(ca, user, stale).key == "stale"


def test_g08_arl(ca: TestCA, user: x509.Certificate) -> None:
    crl = ca.issue_crl()
    listed = ca.issue_crl([(ca.certificate.serial_number, NOW)], crl_number=2)
    assert g08_on(ca, user, crl, listed).key == "ca_revoked"
    foreign = TestCA.generate(common_name="Other Root").issue_crl(
        [(ca.certificate.serial_number, NOW)]
    )
    assert g08_on(ca, user, crl, foreign).key == "arl_unverified"
    stale = ca.issue_crl(
        crl_number=3, this_update=NOW - dt.timedelta(days=9), next_update=NOW - dt.timedelta(days=1)
    )
    assert g08_on(ca, user, crl, stale).key == "arl_stale"
    assert g08_on(ca, user, crl, ca.issue_crl(crl_number=4)).status is CheckStatus.OK
