"""Certificates and CRLs from outside are read through one boundary (ndnclient.pki.untrusted):
whatever cryptography raises, now or on a later read, becomes one of the project's errors with
a sentence; `card status` still shows the card; `cert show`, G03, G08 and G09 say what is
wrong in a sentence; and a file too large to be a certificate is not read at all."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient import cli
from ndnclient.card.errors import CardCertificateError
from ndnclient.card.status import read_card_status
from ndnclient.diagnostics import checks
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.fileio import NotARegularFileError
from ndnclient.messages import Messages
from ndnclient.pki import ldap_repository
from ndnclient.pki.card_key import CardPrivateKey
from ndnclient.pki.certinfo import (
    CertificateFileError,
    Pkcs12PasswordNeeded,
    inspect_certificate,
    load_certificates,
    read_certificate_file,
)
from ndnclient.pki.ldap_repository import ProbeReason
from ndnclient.pki.trust import check_revocation
from ndnclient.pki.untrusted import (
    FileTooLargeError,
    UnreadableCertificateError,
    UnreadableCrlError,
    UnsupportedCertificateError,
    certificate_from_der,
    certificates_from_pem,
    crl_from_der,
    read_limited,
)
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.testca import TestCA
from tests.console import ScriptedConsole
from tests.fuzzing import der as tree
from tests.fuzzing.certificates import pem, pkcs12_without_mac

MakeReader = Callable[..., VirtualReaderBackend]
Capture = pytest.CaptureFixture[str]
JA, EN = Messages("ja"), Messages("en")
CARD = "9392-0000-1234-5678"


# --- hostile certificates and CRLs, made by editing real ones ------------------------------


def retag_values(der: bytes, name_oid: bytes, tag: int) -> tree.Node:
    """`der` with every value of the name attribute `name_oid` re-tagged as `tag`."""
    top = tree.parse(der)
    for value in tree.name_values(top, name_oid):
        value.tag = tag
    return top


def set_values(der: bytes, name_oid: bytes, content: bytes) -> tree.Node:
    top = tree.parse(der)
    for value in tree.name_values(top, name_oid):
        value.content = content
    return top


def hostile_certificate(kind: str, der: bytes, ca: TestCA) -> bytes:
    """The certificate `der` made hostile in one way, signed again by `ca` where the
    signature would otherwise be the only thing wrong."""
    if kind == "cn_as_bit_string":
        return tree.sign_again(retag_values(der, tree.COMMON_NAME, tree.BIT_STRING), ca.key)
    if kind == "cn_as_integer":
        return tree.sign_again(retag_values(der, tree.COMMON_NAME, tree.INTEGER), ca.key)
    top = tree.parse(der)
    if kind == "duplicate_extension":
        assert tree.duplicate_extension(None, top)
    elif kind == "version_6":
        assert tree.set_version(top, b"\x05")
    elif kind == "unknown_signature_algorithm":
        assert tree.set_signature_algorithm(top, "1.2.3.4")
        return top.encode()
    elif kind == "negative_serial":
        tbs = top.children[0].children if top.children else None
        assert tbs is not None
        tbs[1].content = b"\xd5"
    elif kind == "truncated":
        return der[: len(der) // 2]
    elif kind == "garbage":
        return b"\x30\x82\x01\x00" + b"\x02" * 256
    elif kind == "empty":
        return b""
    else:
        raise AssertionError(kind)
    return tree.sign_again(top, ca.key)


CERTIFICATE_KINDS = (
    "cn_as_bit_string",
    "cn_as_integer",
    "duplicate_extension",
    "version_6",
    "unknown_signature_algorithm",
    "negative_serial",
    "truncated",
    "garbage",
    "empty",
)


def user_der(backend: VirtualReaderBackend) -> bytes:
    return backend.card.state.user_certificate_der


def hostile_crl(kind: str, ca: TestCA) -> bytes:
    der = ca.issue_crl([(0x1234, datetime(2026, 1, 1, tzinfo=UTC))]).public_bytes(Encoding.DER)
    if kind == "garbage":
        return b"not a CRL at all"
    if kind == "truncated":
        return der[:-40]
    if kind == "issuer_cn_as_bit_string":
        return tree.sign_again(retag_values(der, tree.COMMON_NAME, tree.BIT_STRING), ca.key)
    if kind == "issuer_country_of_three_letters":
        # Parsed with a warning on every read of the CRL's issuer: refused.
        return tree.sign_again(set_values(der, tree.COUNTRY_NAME, b"JPN"), ca.key)
    top = tree.parse(der)
    if kind == "duplicate_extension":
        assert tree.duplicate_extension(None, top)
    elif kind == "version_6":
        assert tree.set_version(top, b"\x05")
    elif kind == "unknown_signature_algorithm":
        assert tree.set_signature_algorithm(top, "1.2.3.4")
        return top.encode()
    else:
        raise AssertionError(kind)
    return tree.sign_again(top, ca.key)


CRL_KINDS = (
    "garbage",
    "truncated",
    "issuer_cn_as_bit_string",
    "issuer_country_of_three_letters",
    "duplicate_extension",
    "version_6",
    "unknown_signature_algorithm",
)


def a_sentence(error: BaseException) -> None:
    for messages in (JA, EN):
        sentence = messages.describe(error)
        assert sentence
        assert not sentence.startswith(("cert.", "card.", "cli.")), sentence
        assert "{" not in sentence
        assert "Error" not in sentence  # no class name, no cryptography text


# --- the boundary ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_the_boundary_raises_only_its_own_error(
    kind: str, virtual_reader: MakeReader, shared_ca: TestCA
) -> None:
    der = hostile_certificate(kind, user_der(virtual_reader()), shared_ca)
    with pytest.raises(UnreadableCertificateError) as caught:
        certificate_from_der(der)
    a_sentence(caught.value)
    with pytest.raises(UnreadableCertificateError):
        certificates_from_pem(pem(der) if der else b"-----BEGIN CERTIFICATE-----\n")
    # Through the inspector's file formats: one sentence, whichever it is. (cryptography
    # tells a damaged PKCS#12 file from a locked one by neither type nor text: asking for
    # the password is what it can do.)
    for data in (der, pem(der), pkcs12_without_mac([der])):
        with pytest.raises(
            (CertificateFileError, UnsupportedCertificateError, Pkcs12PasswordNeeded)
        ) as file_error:
            load_certificates(data)
        a_sentence(file_error.value)


@pytest.mark.parametrize(
    ("kind", "unsupported"),
    [("unknown_signature_algorithm", True), ("negative_serial", True), ("version_6", False)],
)
def test_a_form_this_program_does_not_handle_says_so(
    kind: str, unsupported: bool, virtual_reader: MakeReader, shared_ca: TestCA
) -> None:
    der = hostile_certificate(kind, user_der(virtual_reader()), shared_ca)
    with pytest.raises(UnreadableCertificateError) as caught:
        certificate_from_der(der)
    assert isinstance(caught.value, UnsupportedCertificateError) is unsupported


def test_what_the_boundary_returns_reads_without_a_raise_or_a_warning(
    virtual_reader: MakeReader, shared_ca: TestCA
) -> None:
    # A country of three letters: cryptography warns once, when it parses the name, and
    # keeps the name; the inspector flags it itself. (pytest turns warnings into errors.)
    der = tree.sign_again(
        set_values(user_der(virtual_reader()), tree.COUNTRY_NAME, b"JPN"), shared_ca.key
    )
    certificate = certificate_from_der(der)
    for _ in range(2):
        assert "C=JPN" in certificate.subject.rfc4514_string()
        assert certificate.issuer.rfc4514_string()
        assert certificate.public_key() is not None
        assert certificate.serial_number > 0
    document = inspect_certificate(certificate, datetime.now(UTC).date())
    assert {"key": "country_code", "value": "JPN"} in document["warnings"]


@pytest.mark.parametrize("kind", CRL_KINDS)
def test_a_crl_from_outside_raises_only_its_own_error(kind: str, shared_ca: TestCA) -> None:
    data = hostile_crl(kind, shared_ca)
    with pytest.raises(UnreadableCrlError) as caught:
        crl_from_der(data)
    a_sentence(caught.value)
    # As G04 fetches it: the probe's own verdict, bad_crl.
    raw = {ldap_repository.CRL_ATTRIBUTE: [data]}
    with pytest.raises(ldap_repository._Failed) as failed:
        ldap_repository._parse_list(raw, ldap_repository.CRL_ATTRIBUTE)
    assert failed.value.reason is ProbeReason.BAD_CRL


def test_the_boundary_is_cheap_to_import() -> None:
    code = (
        "import sys, ndnclient.pki.untrusted, ndnclient.card.status; "
        "print('cryptography' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- files: bounded ------------------------------------------------------------------------


def test_a_file_too_large_to_be_a_certificate_is_not_read(tmp_path: Path, capsys: Capture) -> None:
    big = tmp_path / "big.pem"
    big.write_bytes(b"-----BEGIN CERTIFICATE-----\n" + b"A" * (5 * 1024 * 1024))
    with pytest.raises(FileTooLargeError):
        read_certificate_file(big)
    assert cli.main(["cert", "show", str(big)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == JA.text("cert.too_large", path=big, limit_mb=4)


@pytest.mark.skipif(not Path("/dev/zero").is_char_device(), reason="no /dev/zero here")
def test_an_endless_device_is_refused_at_once(capsys: Capture) -> None:
    # Not a regular file: refused before a byte is read (a pipe would hang the read).
    started = time.monotonic()
    with pytest.raises(NotARegularFileError):
        read_limited(Path("/dev/zero"))
    assert cli.main(["cert", "show", "/dev/zero"]) == 1
    assert time.monotonic() - started < 10
    assert "not a regular file" in capsys.readouterr().err


# --- card status, cert show, card cert, smime sign ----------------------------------------


def hostile_card(
    reader: MakeReader, ca: TestCA, kind: str = "cn_as_bit_string"
) -> VirtualReaderBackend:
    backend = reader()
    state = backend.card.state
    state.user_certificate_der = hostile_certificate(kind, state.user_certificate_der, ca)
    return backend


@pytest.mark.parametrize(
    "kind", ["cn_as_bit_string", "duplicate_extension", "unknown_signature_algorithm", "garbage"]
)
def test_card_status_shows_the_card_and_a_sentence_for_its_certificate(
    kind: str, reader: MakeReader, shared_ca: TestCA, capsys: Capture
) -> None:
    backend = hostile_card(reader, shared_ca, kind)
    status = read_card_status(backend)
    assert isinstance(status.problem, CardCertificateError)
    assert status.info is not None
    assert status.pin is not None
    assert status.unlock is not None
    assert status.certificate is None
    assert not status.usable

    assert cli.main(["card", "status"], backend_factory=lambda: backend) == 1
    captured = capsys.readouterr()
    assert CARD in captured.out
    assert "電子 花子" in captured.out
    assert JA.text("status.tries_value", tries_left=10, max_tries=10) in captured.out
    assert JA.text("card.bad_certificate") in captured.err
    assert "G03" in captured.err
    assert "予期しない" not in captured.err

    assert cli.main(["card", "status", "--json"], backend_factory=lambda: backend) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["card_number"] == "9392000012345678"
    assert document["pin_tries_left"] == 10
    assert document["certificate"] is None
    assert document["error"]["kind"] == "CardCertificateError"
    assert document["error"]["code"] == "G03"


def test_the_home_page_sentence_is_the_card_layers(reader: MakeReader, shared_ca: TestCA) -> None:
    # The window shows `messages.describe(status.problem)` under what was read.
    status = read_card_status(hostile_card(reader, shared_ca))
    assert JA.describe(status.problem or AssertionError()).startswith(
        JA.text("card.bad_certificate")
    )


@pytest.mark.parametrize("kind", CERTIFICATE_KINDS)
def test_cert_show_of_a_hostile_file_is_one_sentence(
    kind: str, virtual_reader: MakeReader, shared_ca: TestCA, tmp_path: Path, capsys: Capture
) -> None:
    path = tmp_path / "hostile.crt"
    path.write_bytes(hostile_certificate(kind, user_der(virtual_reader()), shared_ca))
    assert cli.main(["cert", "show", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] in (JA.text("cert.unreadable"), JA.text("cert.unsupported"))
    assert cli.main(["cert", "show", "--json", str(path)]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["kind"] in ("CertificateFileError", "UnsupportedCertificateError")


def test_cert_show_card_and_card_cert_of_a_hostile_card(
    reader: MakeReader, shared_ca: TestCA, capsys: Capture
) -> None:
    backend = hostile_card(reader, shared_ca)
    for argv in (["cert", "show", "--card"], ["card", "cert"], ["card", "cert", "--pem"]):
        assert cli.main(argv, backend_factory=lambda: backend) == 1, argv
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(JA.text("card.bad_certificate")), argv


def test_smime_sign_refuses_a_hostile_card_certificate_before_the_pin(
    reader: MakeReader, shared_ca: TestCA, tmp_path: Path, capsys: Capture
) -> None:
    backend = hostile_card(reader, shared_ca)
    message = tmp_path / "message.txt"
    message.write_text("こんにちは", encoding="utf-8")
    sent: list[bytes] = []
    original = backend.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        if apdu[1] == 0x20 and len(apdu) > 4:  # VERIFY with a PIN
            sent.append(bytes(apdu))
        return original(apdu)

    backend.card.process_apdu = spy  # type: ignore[method-assign]
    argv = ["smime", "sign", "--in", str(message), "--out", str(tmp_path / "signed.eml")]
    console = ScriptedConsole(stdin="1234\n")
    assert cli.main([*argv, "--pin-stdin"], backend_factory=lambda: backend, console=console) == 1
    assert JA.text("card.bad_certificate") in capsys.readouterr().err
    assert sent == []
    assert not (tmp_path / "signed.eml").exists()


def test_the_card_key_needs_an_rsa_certificate(shared_ca: TestCA) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "EC")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now.replace(year=now.year + 1))
        .sign(key, hashes.SHA256())
    )
    with pytest.raises(CardCertificateError):
        CardPrivateKey(None, certificate, None)  # type: ignore[arg-type]


# --- the operation check ------------------------------------------------------------------


def context_on(backend: VirtualReaderBackend, anchor_files: list[str]) -> CheckContext:
    # The configured files alone: this machine's own store stays out.
    settings = merge(
        {"trust.anchor_files": anchor_files, "trust.use_system_store": False}, Policy()
    )
    return CheckContext(settings, lambda job: job(backend))


def run_card_checks(context: CheckContext) -> None:
    for check in (checks.g01_service_and_reader, checks.g02_card_present):
        assert check(context).status is CheckStatus.OK


def test_g03_says_the_cards_certificate_cannot_be_read(
    reader: MakeReader, shared_ca: TestCA, capsys: Capture
) -> None:
    backend = hostile_card(reader, shared_ca)
    code = cli.main(["check", "--only", "G03", "--json"], backend_factory=lambda: backend)
    assert code == 1
    (g03,) = [r for r in json.loads(capsys.readouterr().out)["results"] if r["code"] == "G03"]
    assert (g03["status"], g03["outcome"]) == ("fail", "bad_certificate")
    assert CARD in g03["detail"]
    assert "壊れている" in g03["detail"]
    assert "Error" not in g03["detail"]  # what cryptography said is in the facts only
    assert "TypeError" in g03["facts"]["error"]


def test_g09_with_a_hostile_anchor_file_and_card_ca_certificate(
    reader: MakeReader, shared_ca: TestCA, tmp_path: Path
) -> None:
    backend = reader()
    state = backend.card.state
    good = tmp_path / "ca.der"
    good.write_bytes(state.ca_certificate_der)
    bad = tmp_path / "bad.pem"
    bad.write_bytes(
        pem(hostile_certificate("cn_as_bit_string", state.ca_certificate_der, shared_ca))
    )
    state.ca_certificate_der = hostile_certificate(
        "duplicate_extension", state.ca_certificate_der, shared_ca
    )

    context = context_on(backend, [str(bad), str(good)])
    run_card_checks(context)
    assert checks.g03_gosign_certificate(context).status is CheckStatus.OK
    assert context.card.ca_certificate is None  # unreadable: not used, not a crash
    outcome = checks.g09_chain(context)
    assert (outcome.status, outcome.key) == (CheckStatus.WARN, "anchor_unreadable")
    _, detail, _ = context.catalogue.render("G09", outcome)
    assert str(bad) in detail

    only_bad = context_on(backend, [str(bad)])
    run_card_checks(only_bad)
    checks.g03_gosign_certificate(only_bad)
    outcome = checks.g09_chain(only_bad)
    assert (outcome.status, outcome.key) == (CheckStatus.FAIL, "no_anchors")


def test_g08_a_crl_signed_with_another_kind_of_key_is_not_believed(shared_ca: TestCA) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    crl = crl_from_der(
        x509.CertificateRevocationListBuilder()
        .issuer_name(shared_ca.certificate.subject)
        .last_update(datetime(2026, 1, 1, tzinfo=UTC))
        .next_update(datetime(2026, 1, 2, tzinfo=UTC))
        .sign(other, hashes.SHA256())
        .public_bytes(Encoding.DER)
    )
    result = check_revocation(shared_ca.certificate, crl, shared_ca.certificate, datetime.now(UTC))
    assert not result.signature_valid


def test_a_certificate_without_an_end_date(reader: MakeReader, shared_ca: TestCA) -> None:
    # RFC 5280: 99991231235959Z means no end; in Japan time that is the year 10000.
    backend = reader()
    state = backend.card.state
    top = tree.parse(state.user_certificate_der)
    (validity,) = [
        parts
        for node, _ in top.walk()
        if node.tag == tree.SEQUENCE
        and (parts := node.children)
        and all(part.tag in (tree.UTC_TIME, tree.GENERALIZED_TIME) for part in parts)
    ]
    validity[1] = tree.Node(tree.GENERALIZED_TIME, b"99991231235959Z")
    state.user_certificate_der = tree.sign_again(top, shared_ca.key)
    certificate = certificate_from_der(state.user_certificate_der)
    document = inspect_certificate(certificate, datetime.now(UTC).date())
    assert document["days_left"] > 2_900_000
    context = context_on(backend, [])
    run_card_checks(context)
    assert checks.g03_gosign_certificate(context).status is CheckStatus.OK
    assert checks.g05_validity(context).status is CheckStatus.OK


def test_no_certificate_parser_is_left_outside_the_boundary() -> None:
    # The simulator's own test CA and state are trusted: it made them.
    root = Path(__file__).resolve().parents[2] / "ndnclient"
    allowed = {"pki/untrusted.py", "simulator/state.py", "simulator/testca.py"}
    parsers = ("load_der_x509", "load_pem_x509", "load_pkcs12", "load_key_and_certificates")
    found = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if any(parser in path.read_text(encoding="utf-8") for parser in parsers)
    ]
    assert sorted(set(found) - allowed) == []
