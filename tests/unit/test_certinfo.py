"""The certificate inspector: PEM, DER, PKCS#12 and the card; names with their string types;
warnings for what breaks today's rules."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ndnclient import cli
from ndnclient.pki.certinfo import (
    CertificateFileError,
    Pkcs12PasswordNeeded,
    WrongPkcs12Password,
    inspect_certificate,
    load_certificates,
)
from tests.console import ScriptedConsole

Capture = pytest.CaptureFixture[str]
KEY = ec.generate_private_key(ec.SECP256R1())
TODAY = date(2026, 11, 21)


def certificate(
    *,
    names: list[x509.NameAttribute[Any]] | None = None,
    dns: Sequence[str] | None = ("www.example.jp",),
    emails: Sequence[str] = (),
    issued: date = date(2026, 11, 1),
    days: int = 90,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    subject = x509.Name(
        names
        or [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "認証太郎"),
            x509.NameAttribute(NameOID.COMMON_NAME, "www.example.jp"),
        ]
    )
    start = datetime(issued.year, issued.month, issued.day, tzinfo=UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(KEY.public_key())
        .serial_number(0x1234)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days) - timedelta(seconds=1))
    )
    general: list[x509.GeneralName] = [x509.DNSName(d) for d in dns or []]
    general += [x509.RFC822Name(e) for e in emails]
    if general:
        builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(KEY, hashes.SHA256())


def warning_keys(document: dict[str, Any]) -> set[str]:
    return {w["key"] for w in document["warnings"]}


def test_a_good_server_certificate_has_no_warnings() -> None:
    document = inspect_certificate(certificate(), TODAY)
    assert document["warnings"] == []
    assert document["subject"] == [
        {"name": "C", "value": "JP", "type": "PrintableString"},
        {"name": "O", "value": "認証太郎", "type": "UTF8String"},
        {"name": "CN", "value": "www.example.jp", "type": "UTF8String"},
    ]
    assert document["san"]["dns"] == ["www.example.jp"]
    assert document["key"] == {"type": "ECDSA", "size": 256, "curve": "secp256r1"}
    assert document["validity_days"] == 90
    assert document["days_left"] == 71  # to 2027-01-29 (JST), today counted
    assert len(document["fingerprints"]["sha256"]) == 32 * 3 - 1


@pytest.mark.parametrize(
    ("issued", "days", "warned"),
    [
        (date(2026, 4, 1), 200, False),
        (date(2026, 4, 1), 201, True),  # SC-081: 200 days since 2026-03-15
        (date(2026, 3, 1), 398, False),  # issued under the 398-day rule
        (date(2026, 3, 1), 399, True),
        (date(2027, 4, 1), 101, True),  # 100 days from 2027-03-15
    ],
)
def test_server_certificate_validity_is_held_to_the_rule_of_its_issue_date(
    issued: date, days: int, warned: bool
) -> None:
    document = inspect_certificate(certificate(issued=issued, days=days), TODAY)
    assert ("tls_too_long" in warning_keys(document)) == warned


def test_smime_validity_and_other_certificates() -> None:
    smime = certificate(
        dns=None, emails=["a@example.jp"], days=826, eku=[ExtendedKeyUsageOID.EMAIL_PROTECTION]
    )
    assert warning_keys(inspect_certificate(smime, TODAY)) == {"smime_too_long"}
    # A personal signing certificate (GoSign's kind) follows neither rule.
    personal = certificate(dns=None, days=5 * 365, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    assert warning_keys(inspect_certificate(personal, TODAY)) == set()


def test_names_that_break_the_faq_are_warned() -> None:
    names = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP", _type=_ASN1Type.UTF8String),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "認証太郎", _type=_ASN1Type.BMPString),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "部" * 65),
        x509.NameAttribute(NameOID.COMMON_NAME, "other.example.jp"),
    ]
    document = inspect_certificate(certificate(names=names), TODAY)
    assert warning_keys(document) == {"country_type", "not_utf8", "too_long", "cn_not_in_san"}
    assert document["subject"][1]["type"] == "BMPString"


def test_expired_and_not_yet_valid() -> None:
    old = certificate(issued=date(2025, 1, 1), days=90)
    assert "expired" in warning_keys(inspect_certificate(old, TODAY))
    future = certificate(issued=date(2027, 1, 1), days=90)
    assert "not_yet_valid" in warning_keys(inspect_certificate(future, TODAY))


def test_pem_der_and_pkcs12(tmp_path: Path) -> None:
    first, second = certificate(), certificate(dns=["b.example.jp"])
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (first, second))
    assert load_certificates(pem) == [first, second]
    assert load_certificates(first.public_bytes(serialization.Encoding.DER)) == [first]
    bundle = pkcs12.serialize_key_and_certificates(
        b"me",
        KEY,
        first,
        [second],
        serialization.BestAvailableEncryption(b"p12-password"),
    )
    with pytest.raises(Pkcs12PasswordNeeded):
        load_certificates(bundle)
    with pytest.raises(WrongPkcs12Password):
        load_certificates(bundle, b"wrong")
    assert load_certificates(bundle, b"p12-password") == [first, second]
    with pytest.raises(CertificateFileError):
        load_certificates(b"\x00garbage" * 50)


def show(capsys: Capture, *args: str, stdin: str = "", card: Any = None) -> tuple[int, str, str]:
    code = cli.main(
        ["cert", "show", *args],
        backend_factory=None if card is None else lambda: card,
        console=ScriptedConsole(stdin=stdin),
    )
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_reads_a_pkcs12_with_its_password_from_stdin(
    capsys: Capture, tmp_path: Path
) -> None:
    bundle = pkcs12.serialize_key_and_certificates(
        b"me", KEY, certificate(), None, serialization.BestAvailableEncryption(b"p12-password")
    )
    (tmp_path / "me.p12").write_bytes(bundle)
    code, out, err = show(
        capsys, str(tmp_path / "me.p12"), "--password-stdin", "--json", stdin="p12-password\n"
    )
    assert code == 0, err
    assert json.loads(out)["certificates"][0]["san"]["dns"] == ["www.example.jp"]
    assert "p12-password" not in out + err
    code, out, err = show(capsys, str(tmp_path / "me.p12"))  # no terminal, no password
    assert code == 1
    assert "パスワードが要ります" in err


def test_the_text_shows_string_types_and_warnings(capsys: Capture, tmp_path: Path) -> None:
    path = tmp_path / "long.pem"
    path.write_bytes(
        certificate(issued=date(2026, 4, 1), days=398).public_bytes(serialization.Encoding.PEM)
    )
    code, out, _ = show(capsys, str(path))
    assert code == 0
    assert "O=認証太郎  [UTF8String]" in out
    assert "C=JP  [PrintableString]" in out
    assert "公的な規則（サーバー証明書）では200日までです" in out


def test_a_missing_file_is_a_sentence(capsys: Capture, tmp_path: Path) -> None:
    code, _, err = show(capsys, str(tmp_path / "none.pem"))
    assert code == 1
    assert "none.pem" in err
    assert "Traceback" not in err


def test_the_cards_certificate(capsys: Capture, reader: Callable[..., Any]) -> None:
    backend = reader()
    code, out, err = show(capsys, "--card", "--json", card=backend)
    assert code == 0, err
    (document,) = json.loads(out)["certificates"]
    subject = {e["name"]: e["value"] for e in document["subject"]}
    assert subject["CN"] == backend.card.state.holder
    assert document["key"]["type"] == "RSA"


def test_a_part_day_counts_as_a_whole_day() -> None:
    # Issued 2026-04-01 for 200 days and one second: 201 days under the rules, and said so.
    start = datetime(2026, 4, 1, tzinfo=UTC)
    over = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.example.jp")]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.example.jp")]))
        .public_key(KEY.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=200))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("www.example.jp")]), critical=False
        )
        .sign(KEY, hashes.SHA256())
    )
    document = inspect_certificate(over, TODAY)
    (warning,) = [w for w in document["warnings"] if w["key"] == "tls_too_long"]
    assert (warning["key"], warning["days"], warning["allowed"]) == ("tls_too_long", 201, 200)


def test_expired_earlier_today_is_expired() -> None:
    now = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)  # 14:00 in Japan
    ended = certificate(issued=date(2026, 11, 20), days=1)  # ended 2026-11-20 23:59:59 UTC
    assert "expired" not in warning_keys(inspect_certificate(ended, TODAY))  # by date alone
    assert "expired" in warning_keys(inspect_certificate(ended, TODAY, now))


def test_smime_rules_apply_from_their_effective_date() -> None:
    usages = [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    old = certificate(dns=None, emails=["a@example.jp"], issued=date(2022, 1, 1), days=1000,
                      eku=usages)  # fmt: skip
    assert "smime_too_long" not in warning_keys(inspect_certificate(old, TODAY))
