"""G09's anchors from the operating system (issue 13): Windows' ROOT and CA stores with
scripted contents, OpenSSL's file and folder through SSL_CERT_FILE and SSL_CERT_DIR, and the
setting `trust.use_system_store`."""

from __future__ import annotations

import datetime as dt
import ssl
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ndnclient.diagnostics.checks import g09_chain
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus, Outcome
from ndnclient.pki import system_trust
from ndnclient.pki.system_trust import AnchorSource, load_system_store
from ndnclient.pki.trust import load_anchors
from ndnclient.settings.errors import InvalidValueError, LockedByPolicyError
from ndnclient.settings.keys import normalize
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService, merge
from ndnclient.simulator.state import VirtualCardState, create_state

NOW = dt.datetime.now(dt.UTC)
SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[str, rsa.RSAPrivateKey] | None = None,
    *,
    ca: bool = True,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


class Hierarchy:
    """A root, an intermediate under it, and a user certificate under the intermediate."""

    def __init__(self) -> None:
        root_key, intermediate_key = _key(), _key()
        self.root = _certificate("Root CA", root_key)
        self.intermediate = _certificate("Intermediate CA", intermediate_key, ("Root CA", root_key))
        self.user = _certificate("User", _key(), ("Intermediate CA", intermediate_key), ca=False)


@pytest.fixture(scope="module")
def pki() -> Hierarchy:
    return Hierarchy()


@pytest.fixture(scope="module")
def card() -> VirtualCardState:
    return create_state(kdf_iterations=1000)


@pytest.fixture(autouse=True)
def _no_system_store_of_this_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """This machine's own store stays out: both variables point at nothing."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-folder"))


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(Encoding.DER)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(Encoding.PEM)


def g09(
    certificate: x509.Certificate,
    *,
    platform: str = "linux",
    card_ca: x509.Certificate | None = None,
    settings: dict[str, Any] | None = None,
) -> Outcome:
    context = CheckContext(merge(settings or {}, Policy()), lambda job: job(None))
    context.platform = platform
    context.card.certificate = certificate
    context.card.ca_certificate = card_ca
    return g09_chain(context)


# --- Windows, with scripted stores ------------------------------------------------------------


def windows_stores(
    monkeypatch: pytest.MonkeyPatch, stores: dict[str, list[tuple[Any, Any, Any]]]
) -> list[str]:
    """ssl.enum_certificates (Windows only) playing `stores`; the names asked for, in order."""
    asked: list[str] = []

    def enum_certificates(name: str) -> list[tuple[Any, Any, Any]]:
        asked.append(name)
        return list(stores.get(name, []))

    monkeypatch.setattr(ssl, "enum_certificates", enum_certificates, raising=False)
    return asked


def test_windows_root_is_an_anchor_and_the_ca_store_a_path_candidate(
    monkeypatch: pytest.MonkeyPatch, pki: Hierarchy
) -> None:
    asked = windows_stores(
        monkeypatch,
        {
            "ROOT": [
                (b"\x30\x03garbage", "x509_asn", True),  # unreadable: skipped, counted
                (der(pki.root), "pkcs_7_asn", True),  # not X.509: skipped
                (der(pki.root), "x509_asn", {CLIENT_AUTH}),  # trusted for a purpose
            ],
            "CA": [(der(pki.intermediate), "x509_asn", True)],
        },
    )
    outcome = g09(pki.user, platform="win32")
    assert (outcome.status, outcome.key) == (CheckStatus.OK, "ok")
    assert outcome.facts["anchor_source"] == "windows_root"
    assert outcome.facts["chain"] == ["CN=User", "CN=Intermediate CA", "CN=Root CA"]
    assert outcome.facts["intermediates"] == {"card": 0, "windows_ca": 1}
    system = outcome.facts["system_store"]
    assert (system["anchors"], system["intermediates"], system["skipped"]) == (1, 1, 2)
    assert any("pkcs_7_asn" in line for line in system["problems"])
    assert asked == ["ROOT", "CA"]


def test_the_windows_ca_store_is_never_an_anchor(
    monkeypatch: pytest.MonkeyPatch, pki: Hierarchy
) -> None:
    # The root itself, in the CA store only: a path candidate, so still no anchor.
    windows_stores(
        monkeypatch,
        {
            "ROOT": [(der(_certificate("Another Root", _key())), "x509_asn", True)],
            "CA": [(der(pki.intermediate), "x509_asn", True), (der(pki.root), "x509_asn", True)],
        },
    )
    outcome = g09(pki.user, platform="win32")
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "unknown_issuer")
    assert "anchor_source" not in outcome.facts


@pytest.mark.parametrize(
    ("trust", "trusted"),
    [(True, True), ({SERVER_AUTH}, True), ({CLIENT_AUTH}, True), (set(), False)],
)
def test_a_root_switched_off_for_every_purpose_is_skipped(
    monkeypatch: pytest.MonkeyPatch, pki: Hierarchy, trust: Any, trusted: bool
) -> None:
    windows_stores(monkeypatch, {"ROOT": [(der(pki.root), "x509_asn", trust)]})
    store = load_system_store(platform="win32")
    assert [c for c, _ in store.anchors] == ([pki.root] if trusted else [])
    assert store.skipped == (0 if trusted else 1)


def test_a_windows_store_that_will_not_open_is_skipped(
    monkeypatch: pytest.MonkeyPatch, pki: Hierarchy
) -> None:
    def enum_certificates(name: str) -> list[tuple[Any, Any, Any]]:
        if name == "ROOT":
            raise PermissionError(5, "Access is denied")
        return [("not bytes", "x509_asn", True), ("too", "short")]  # type: ignore[list-item]

    monkeypatch.setattr(ssl, "enum_certificates", enum_certificates, raising=False)
    store = load_system_store(platform="win32")
    assert (store.anchors, store.intermediates, store.skipped) == ([], [], 3)


# --- OpenSSL's file and folder ------------------------------------------------------------------


def test_ssl_cert_file_with_the_virtual_cards_ca_makes_g09_ok(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, card: VirtualCardState, pki: Hierarchy
) -> None:
    bundle = tmp_path / "bundle.pem"
    ca = x509.load_der_x509_certificate(card.ca_certificate_der)
    garbage = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
    bundle.write_bytes(pem(pki.root) + garbage + b"# a comment\n" + pem(ca))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    outcome = g09(card.user_certificate())
    assert (outcome.status, outcome.key) == (CheckStatus.OK, "ok")
    assert outcome.facts["anchor_source"] == "system_file"
    system = outcome.facts["system_store"]
    assert system["read"] == {"system_file": str(bundle)}
    assert (system["anchors"], system["skipped"]) == (2, 1)
    assert outcome.facts["anchor_problems"] == []  # a store's odd entry is nobody's setting


def test_trust_use_system_store_false_leaves_the_store_unread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, card: VirtualCardState
) -> None:
    bundle = tmp_path / "bundle.der"
    bundle.write_bytes(card.ca_certificate_der)  # DER works as well as PEM
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert g09(card.user_certificate()).facts["anchor_source"] == "system_file"
    outcome = g09(card.user_certificate(), settings={"trust.use_system_store": False})
    # Nothing bundled, nothing configured, the store left: no anchor at all.
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "no_anchors")
    assert outcome.facts["system_store"] is None


def test_anchor_files_come_first_and_name_their_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, card: VirtualCardState
) -> None:
    mine = tmp_path / "gosign.pem"
    mine.write_bytes(
        x509.load_der_x509_certificate(card.ca_certificate_der).public_bytes(Encoding.PEM)
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(mine))  # the same certificate, also in the store
    outcome = g09(card.user_certificate(), settings={"trust.anchor_files": [str(mine)]})
    assert outcome.facts["anchor_source"] == "anchor_files"
    anchors = load_anchors([str(mine)], use_system_store=True, platform="linux")
    assert anchors.sources[0] is AnchorSource.ANCHOR_FILES
    assert anchors.sources[-1] is AnchorSource.SYSTEM_FILE


def test_ssl_cert_dir_reads_the_hashed_names_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, card: VirtualCardState, pki: Hierarchy
) -> None:
    folder = tmp_path / "certs"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(pem(pki.root))  # no hashed name: OpenSSL never looks
    (folder / "0a1b2c3d.0").write_bytes(card.ca_certificate_der)
    (folder / "0a1b2c3d.1").symlink_to(folder / "0a1b2c3d.0")  # the same file: read once
    (folder / "0a1b2c3d.r0").write_bytes(b"a CRL, not read")
    (folder / "ffffffff.0").write_bytes(b"garbage")
    monkeypatch.setenv("SSL_CERT_DIR", f"{tmp_path / 'none'}:{folder}")
    outcome = g09(card.user_certificate())
    assert (outcome.status, outcome.facts["anchor_source"]) == (CheckStatus.OK, "system_dir")
    system = outcome.facts["system_store"]
    assert (system["anchors"], system["skipped"], system["truncated"]) == (1, 1, False)
    assert g09(pki.user).key == "unknown_issuer"  # ca.pem was not read


def test_a_huge_folder_is_bounded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pki: Hierarchy
) -> None:
    for index in range(5):
        (tmp_path / f"{index:08x}.0").write_bytes(pem(_certificate(f"CA {index}", _key())))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    monkeypatch.setattr(system_trust, "MAX_DIR_FILES", 3)
    store = load_system_store(platform="linux")
    assert (len(store.anchors), store.truncated) == (3, True)


@pytest.fixture
def debian_bundle() -> Path:
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if not bundle.is_file():
        pytest.skip("no system CA bundle on this machine")
    return bundle


def test_the_systems_bundle_loads_quickly_and_skips_what_it_cannot_read(
    monkeypatch: pytest.MonkeyPatch, debian_bundle: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(debian_bundle))
    started = time.perf_counter()
    store = load_system_store(platform="linux")
    elapsed = time.perf_counter() - started
    assert len(store.anchors) > 50
    assert all(source is AnchorSource.SYSTEM_FILE for _, source in store.anchors)
    assert elapsed < 2.0  # about 35 ms here for 144 certificates


def test_the_store_is_read_once_per_run_and_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, pki: Hierarchy
) -> None:
    asked = windows_stores(monkeypatch, {"ROOT": [(der(pki.root), "x509_asn", True)]})
    context = CheckContext(merge({}, Policy()), lambda job: job(None))
    context.platform = "win32"
    assert asked == []  # not at start-up
    assert context.anchors is context.anchors
    assert asked == ["ROOT", "CA"]


# --- the setting ---------------------------------------------------------------------------------


def test_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert merge({}, Policy()).trust_use_system_store is True
    assert normalize("trust.use_system_store", False) is False
    assert normalize("trust.use_system_store", "FALSE") is False
    bad_values: list[Any] = [0, 1, "no", None, []]
    for bad in bad_values:
        with pytest.raises(InvalidValueError) as caught:
            normalize("trust.use_system_store", bad)
        assert caught.value.reason in ("boolean", "malformed")
    locked = Policy(
        presets={"trust.use_system_store": False}, locked=frozenset({"trust.use_system_store"})
    )
    settings = merge({"trust.use_system_store": True}, locked)
    assert settings.trust_use_system_store is False
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path))
    with pytest.raises(LockedByPolicyError):
        SettingsService(policy=locked).set("trust.use_system_store", True)
