"""Hostile certificates and CRLs, through the paths a user's own take.

- `certificates:cert_show`: a PEM, DER or PKCS#12 file (or the card's certificate) through
  the certificate inspector and its text and JSON, as `cert show` and the GUI's viewer show
  it; now and then through `ndnclient cert show FILE` itself.
- `certificates:chain`: the card's certificate and its CA's certificate (and a configured
  trust-anchor file) on the in-process virtual card, through `card status` (now and then
  also `card cert` and `cert show --card` on the command line), and the checks G01–G03,
  G05, G09 and G08.
- `certificates:crl`: the CRL and ARL from the LDAP repository, parsed as G04 parses them,
  through G04's facts, G08 and G12.

The seeds are real certificates and CRLs made once per process from fixed keys and dates
(so input number i is the same bytes in every run). An edit is either random bytes
(`mutate_bytes`) or made on the DER tree (`tests.fuzzing.der`): a tag changed (a CN as BIT
STRING), a value replaced (odd times, serial numbers, OIDs), an extension doubled, the
version set to 5, an unknown signature algorithm; the tree's lengths stay right, and for the
chain and the CRLs the edited part is signed again by the CA, so the checks go past the
signature to what is behind it. A check that raises anything, or a card status that loses
the card number, is an escape: the operation check would show "unexpected error".
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import io
import ipaddress
import json
import logging
import os
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ndnclient.card.errors import CardError
from ndnclient.card.status import read_card_status
from ndnclient.diagnostics import checks
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus, Outcome
from ndnclient.messages import Messages
from ndnclient.pki import ldap_repository
from ndnclient.pki.certinfo import certificate_lines, inspect_card_certificate, inspect_file
from ndnclient.pki.ldap_repository import LdapTarget, ProbeReason, ProbeResult
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import VirtualCardState, create_state
from tests.fuzzing import Escaped, mutate_bytes
from tests.fuzzing import der as tree

PASSWORD = b"p12-password"
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # the checks' clock: inside every seed's validity
CARD_NUMBER = "9392000012345678"
CARD_NUMBER_DISPLAY = "9392-0000-1234-5678"
MESSAGES = (Messages("ja"), Messages("en"))

# A PKCS#12 file with a key, the TLS seed's certificate and the CA's, encrypted with PASSWORD
# (one KDF round): made once by cryptography's writer from the fixed seeds below and kept
# here, because that writer draws a random salt each time.
P12_LOCKED = base64.b64decode(
    "MIIJcwIBAzCCCSkGCSqGSIb3DQEHAaCCCRoEggkWMIIJEjCCB6kGCSqGSIb3DQEHBqCCB5owggeWAgEAMIIHjwYJ"
    "KoZIhvcNAQcBMF4GCSqGSIb3DQEFDTBRMDAGCSqGSIb3DQEFDDAjBBADqwqJkbppIPun2mOgaBXrAgEBMAwGCCqG"
    "SIb3DQIJBQAwHQYJYIZIAWUDBAEqBBD/4TckK1/fS+KhJR77P2PRgIIHIFuf5McwTYC0IK3GKgTN3qVxin+dEfG/"
    "w6y7SVsdcfsO/PshzhE4qfCGIm+EaOMX0XcMRZymfE+i9nz5d1K36M899k+ApcvkP7oJdhG9yCjqVrY6ysjITBJD"
    "npqgtHgGnVofGah4oKOeRs+BCD1lRdiIK6WYyvPCPFDSjJzOJK56oSnfTfwbKc4ymSmuDt+t4qEGPoqY7aAI81CU"
    "mhTUKOb13ZX6ekS4b5b2otL4viF3wkaY8fb0KtOZv5iXNp+1pwWk7sTs8F/bJB1kFzMjY/Rz4RsAzv5RynwjrKhm"
    "MDpgF43cmxFpL/t4nvGjYVBxvMqTxcWRfBWEz4mDR8u82e3wndVtr8/WNa48BMsKw9pjPgSjR8hgFlPvtYElG5bq"
    "sqK1CJN/v5kmy22qiBeeBLEifS9g6RfWYQUFGXqJ+X8/acrX41zgXvlFn6yLEc8w5sek2uX1xk6t0cGvLIfBzVy1"
    "iEMlq9NJFOQea2dgj8r7h6w+g1iMnOyq0bFtFx4ucR0Y6USR1dICteaLJIF9nsa8eQlgYb0SuIuA6lQTTMFFvtzM"
    "9iSgQlSV3wLVhBt21kMFO6yZpjHs5uYxEOBu04VDHITq0Z1IfCYaHd1O1FbcWXbGilRtzCYVpRxOjNKLT727zH5Z"
    "6HRcWR8aZJspww7CN0H8pbliD4Eg0JN81eL8uhUA/6lLTO95hHbJ3egv7j+HM4hR6dmWJ+RTI0UGLFLE0gZnu8aA"
    "VKUYiAVvdFT0gPV74kx7WJVtIGIKznEZaqzHk3u2hS4GBBlkf2+GkA/RhlEv0jCHCUBxtrC2In1LAmzBVO/zOT9U"
    "Xwqz0XAdYfuRnFZsVCicrDwPwctTtUBI0rx+/eSe0XpqOX4K08fyI3yI1PqhONtRwXwxmbtRmWfS3jWkBWkIIpPa"
    "oHGYZNqjDyjpQ/aZKPjnKKp1noLy1hr2B7eDwjGBq+S9ymXs/hpdydNU3a4EWH1UY4kmHY6hwBMp32bx31nUEnHr"
    "4ooJh7hxI0ngVKcu6ojkARzseo35hztZSiprHsfLoFuyGRluEkjg6zrVamikRtzjyYdpTFAGgVP20zBPVaKvNm2t"
    "jCdFipiUwL83vlFAkms1YplvSXpioN/P5dryVMUzID0+dV8k9C7c9HqZsRxROJRNPcu2crPEdb51lJbDzTRcqyyI"
    "0z8ullNw/liT4NJMYD81nBUbikc2TJ9wE5wFuJZ/6Lakmg75/efClE29JjTRUg/8XqHj78PZsdKDyrMsqbtH2vV/"
    "ps4dIs+XIxiPxznYwV8cSZpZOxF2cIp9+dHPio7/k+N11EE2i+chKZUu5+wZslG/OdHplF/nrue0xpz3WifMrBFt"
    "1QR/awtTAm3b4heX7C4ewYxO7O+EGZcfVSgCk/WInywcUDKQ1qgZ9WrBBzGdQxffQe/r0Ja/63YEP+vB3SvEF6nL"
    "TFEQif0RSl519QbbwdqtdVlavAIKJlsgV3OfO8c/e0jRRWuFm0Lrr1nEzBPad04TjDm0XdYLyEzR5UNpkLRHEdH+"
    "jnsWRXCcQeaoIfA6utxDuwBNRXoMZdYYO6ji9n2WF2qmz1YQb4fT5I1rnSbVAW3VYm41jU8kr9uo5DbCAvE5leOX"
    "dAp6vvI7sGIj78Yd55QJ7ApdBKDV3g9mO9WcCs56vVtjp+VHdnwPWvmqfX9n2x6ePOVg9CQS8IDc9vLp3tZotjFY"
    "m7oK/Aza2xp7F7z+5nfxpWx2i7FMDaQWWRPeCYxAqSE2mNQy/wFz4i0hDpZzclZKVqAETtJoEi1+QEZK+taROYgV"
    "6ktLy9edEOl6dF5LsUIMnK+/VGfwTfCigd6mqJ0Pdh0eT2KtouvGUj5kJzUNWY6DRwceHxTjsU9GjDCGnt3yzPxz"
    "1KUYk4S0Jvt2ZrC91XVb5YAMNA7nXiB7AC7rjbvh5hrCFnFgrAmtcCwFywDhk/7oFzVm5G/q8xA4S3DCaAuECaki"
    "CQTwhEN441d9MPkGfoPkILfSqWHXzXMPhWog1k6QYjDGLUSm9xtBH1tO5goUBzEAmPWVyWrP/8o02qWWxJJv7pHh"
    "svasC5/62DHu1QC2SScV1J0mqs+GVeVICU84Ymabqi4vJJVGFSKTdYSNjASLPLSA2cFp8xUYcHVSVRmf6JbNIjp7"
    "GEAy5IzTfId45wJaDraqxA02vbFoz27lNqIdOJfWvOsE9XvNxUPjDMR59YeOnot9vnZ/O5S0EbFLnaabAnEsJe9/"
    "BlCL6EHZfvuMc5Meo892R3qDfDpOQx7U7oFEVEfTeWW+LIJC9CHX+LS4iLb+RQG04B2oI0g/v1HjXBuyAPnRjuMI"
    "N377fiMuW/scfN3FeNp7gdQ8pXZUEKOzA5nnzShCthkyAVj26VFcoqyi8HicNrP9G9m3MhbHgFaQOtVYIS+qpsyL"
    "RSXfdt4L6s2yNeWm+OUWlhKgmzCCAWEGCSqGSIb3DQEHAaCCAVIEggFOMIIBSjCCAUYGCyqGSIb3DQEMCgECoIH2"
    "MIHzMF4GCSqGSIb3DQEFDTBRMDAGCSqGSIb3DQEFDDAjBBDxvhRmr7iXiBYmDR5m11gEAgEBMAwGCCqGSIb3DQIJ"
    "BQAwHQYJYIZIAWUDBAEqBBAH5t2xptp+KVUrFtg/1j6CBIGQZKHfpgpYiKSaGgETjRMXRNofrbHvCXvQHMq38n+V"
    "hVZMAN28iDf4sQYMcnxuJXw01TnT2aP6iHJ2+Sy5ydfvp03UdjGUktk86wnC3SA5x02ZBV42y6puefR/2Zk0ymgV"
    "bhm+W0o9PBPWHgWH3KpUKT6WKiTtWjxroHyoiTF6zsX+xCAQ8zHvq49JLRpr/hBIMT4wFwYJKoZIhvcNAQkUMQoe"
    "CABmAHUAegB6MCMGCSqGSIb3DQEJFTEWBBSxsvpxZE0ukWNEUAWEWHJ6zxawmDBBMDEwDQYJYIZIAWUDBAIBBQAE"
    "INQFpuxVivOMJGZH7aoUjvvA0He98M7U8ZaobkVknwasBAiDYuKp8i2lrAICCAA="
)

# --- the seeds: fixed keys, fixed dates --------------------------------------------------------


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    for small in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47):
        if n % small == 0:
            return n == small
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(24):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(rng: random.Random, bits: int, e: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if candidate % e != 1 and _is_probable_prime(candidate, rng):
            return candidate


def fixed_rsa_key(seed: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """An RSA key made from `seed` alone (cryptography makes only random ones)."""
    rng = random.Random(seed)
    e = 65537
    p = _prime(rng, bits // 2, e)
    q = _prime(rng, bits // 2, e)
    while q == p:
        q = _prime(rng, bits // 2, e)
    d = pow(e, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(e, p * q)
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), public)
    return numbers.private_key()


Signer = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _name(*parts: tuple[x509.ObjectIdentifier, str, _ASN1Type]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value, _type=kind) for oid, value, kind in parts])


def _ca_name(common_name: str) -> x509.Name:
    return _name(
        (NameOID.COUNTRY_NAME, "JP", _ASN1Type.PrintableString),
        (NameOID.ORGANIZATION_NAME, "ndnclient test", _ASN1Type.PrintableString),
        (NameOID.COMMON_NAME, common_name, _ASN1Type.PrintableString),
    )


def _sign(builder: x509.CertificateBuilder, key: Signer) -> x509.Certificate:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return builder.sign(key, None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    return builder.sign(key, hashes.SHA256())


def _key_usage(*, signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: Any,
    serial: int,
    valid: tuple[datetime, datetime],
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
    )


def _jst(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=9)


@dataclass(frozen=True)
class Seeds:
    ca_key: rsa.RSAPrivateKey
    ca: x509.Certificate  # the GoSign-like CA: RSA, self-signed, the anchor
    user: x509.Certificate  # the card's certificate, issued by `ca`
    viewer: tuple[bytes, ...]  # DER certificates of every kind, for the inspector
    crls: tuple[bytes, ...]  # DER CRLs of `ca`
    arls: tuple[bytes, ...]  # `ca`'s ARLs (of CA certificates): none revoked, `ca` revoked

    @property
    def ca_der(self) -> bytes:
        return self.ca.public_bytes(Encoding.DER)

    @property
    def user_der(self) -> bytes:
        return self.user.public_bytes(Encoding.DER)


@functools.cache
def seeds() -> Seeds:
    ca_key = fixed_rsa_key("ndnclient fuzz: CA")
    user_key = fixed_rsa_key("ndnclient fuzz: card")
    ec_key = ec.derive_private_key(0x6E646E636C69656E74, ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    ca_name = _ca_name("ndnclient Test GoSign CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    ca = _sign(
        _builder(
            ca_name, ca_name, ca_key.public_key(), 0x1001, (_jst(2020, 1, 1), _jst(2040, 1, 1))
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False, ca=True), critical=True)
        .add_extension(ski, critical=False),
        ca_key,
    )
    crl_point = x509.DistributionPoint(
        [
            x509.UniformResourceIdentifier(
                "ldap://ldap.example.jp/cn=CA,o=test?certificateRevocationList"
            )
        ],
        None,
        None,
        None,
    )
    user = _sign(
        _builder(
            _name(
                (NameOID.COUNTRY_NAME, "JP", _ASN1Type.PrintableString),
                (NameOID.ORGANIZATION_NAME, "ndnclient test", _ASN1Type.PrintableString),
                (NameOID.COMMON_NAME, "電子 花子", _ASN1Type.UTF8String),
                (NameOID.SERIAL_NUMBER, CARD_NUMBER, _ASN1Type.PrintableString),
            ),
            ca_name,
            user_key.public_key(),
            0x2A2A2A2A,
            (_jst(2025, 4, 1), _jst(2027, 3, 31, 23)),
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True, ca=False), critical=True)
        .add_extension(aki, critical=False)
        .add_extension(x509.CRLDistributionPoints([crl_point]), critical=False)
        .add_extension(
            x509.CertificatePolicies(
                [x509.PolicyInformation(x509.ObjectIdentifier("1.2.392.200081.1.1"), None)]
            ),
            critical=False,
        ),
        ca_key,
    )
    server = _sign(
        _builder(
            _name(
                (NameOID.COUNTRY_NAME, "JP", _ASN1Type.PrintableString),
                (NameOID.STATE_OR_PROVINCE_NAME, "東京都", _ASN1Type.UTF8String),
                (NameOID.ORGANIZATION_NAME, "株式会社 例", _ASN1Type.UTF8String),
                (NameOID.COMMON_NAME, "www.example.jp", _ASN1Type.PrintableString),
            ),
            ca_name,
            ec_key.public_key(),
            0x3003,
            (_jst(2025, 1, 1), _jst(2026, 2, 3)),
        )
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("www.example.jp"),
                    x509.DNSName("example.jp"),
                    x509.IPAddress(ipaddress.ip_address("192.0.2.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.example.jp"),
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(x509.CRLDistributionPoints([crl_point]), critical=False),
        ca_key,
    )
    smime = _sign(
        _builder(
            _name((NameOID.COMMON_NAME, "電子 太郎", _ASN1Type.UTF8String)),
            ca_name,
            ed_key.public_key(),
            0x4004,
            (_jst(2024, 1, 1), _jst(2027, 1, 1)),
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("taro@example.jp")]), critical=False
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.KeyUsage(True, False, False, False, True, False, False, True, False),
            critical=True,
        ),
        ed_key,
    )
    ec_root_name = _ca_name("ndnclient EC Root")
    ec_root = _sign(
        _builder(
            ec_root_name,
            ec_root_name,
            ec_key.public_key(),
            0x5005,
            (_jst(2000, 1, 1), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.NameConstraints([x509.DNSName("example.jp")], None), critical=True),
        ec_key,
    )
    revoked = [
        x509.RevokedCertificateBuilder()
        .serial_number(serial)
        .revocation_date(_jst(2025, 5, 1) + timedelta(days=serial % 90))
        .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
        .add_extension(x509.InvalidityDate(_jst(2025, 4, 1)), critical=False)
        .build()
        for serial in range(0x100, 0x10A)
    ]

    def crl(entries: list[x509.RevokedCertificate], number: int, extra: bool) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_name)
            .last_update(_jst(2026, 5, 31))
            .next_update(_jst(2026, 6, 2))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(aki, critical=False)
        )
        if extra:
            builder = builder.add_extension(
                x509.IssuingDistributionPoint(
                    crl_point.full_name, None, True, False, None, False, False
                ),
                critical=True,
            )
        for entry in entries:
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(Encoding.DER)

    listing_ca = (
        x509.RevokedCertificateBuilder()
        .serial_number(ca.serial_number)
        .revocation_date(_jst(2026, 5, 20))
        .build()
    )
    listing_user = (
        x509.RevokedCertificateBuilder()
        .serial_number(user.serial_number)
        .revocation_date(_jst(2026, 5, 1))
        .build()
    )
    return Seeds(
        ca_key=ca_key,
        ca=ca,
        user=user,
        viewer=tuple(c.public_bytes(Encoding.DER) for c in (user, ca, server, smime, ec_root)),
        crls=(
            crl([], 1, False),
            crl(revoked, 2, True),
            crl([*revoked[:3], listing_user], 3, False),
        ),
        arls=(crl([], 4, False), crl([listing_ca], 5, False)),
    )


# --- edits -----------------------------------------------------------------------------------


def edit_tree(rng: random.Random, der: bytes, resign_with: rsa.RSAPrivateKey | None) -> bytes:
    """Structure-aware edits of a certificate or CRL, signed again when a key is given."""
    top = tree.parse(der)
    choice = rng.randrange(10)
    if choice >= 6:
        tree.edit_values(rng, top)  # well-formed values that say odd things
    elif choice == 0:
        tree.swap_string_type(rng, top, rng.choice((tree.COMMON_NAME, tree.COUNTRY_NAME, None)))
    elif choice == 1:
        tree.duplicate_extension(rng, top)
    elif choice == 2:
        tree.set_version(
            top, rng.choice((b"\x00", b"\x01", b"\x02", b"\x03", b"\x05", b"\xff", b""))
        )
    elif choice == 3:
        tree.set_signature_algorithm(top, rng.choice(tree.ODD_OIDS), inner_too=rng.random() < 0.7)
    else:
        tree.mutate_tree(rng, top)
    if resign_with is not None and rng.random() < 0.85:
        return tree.sign_again(top, resign_with)
    return top.encode()


def edit(rng: random.Random, der: bytes, resign_with: rsa.RSAPrivateKey | None = None) -> bytes:
    """An edit of `der`: none now and then, random bytes, or edits on its DER tree."""
    roll = rng.random()
    if roll < 0.06:
        return der
    if roll < 0.25:
        return mutate_bytes(rng, der)
    return edit_tree(rng, der, resign_with)


def pem(der: bytes, label: str = "CERTIFICATE") -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"\n".join(
        [f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----".encode(), b""]
    )


def pkcs12_without_mac(certificates: list[bytes]) -> bytes:
    """A PKCS#12 file holding only certificates, with no MAC and no encryption (so it is the
    same bytes every time; cryptography's own writer adds a random salt)."""

    def bag(der: bytes) -> bytes:
        cert_bag = tree.tlv(
            tree.SEQUENCE,
            tree.tlv(tree.OID, tree.oid_content("1.2.840.113549.1.9.22.1"))
            + tree.tlv(0xA0, tree.tlv(tree.OCTET_STRING, der)),
        )
        return tree.tlv(
            tree.SEQUENCE,
            tree.tlv(tree.OID, tree.oid_content("1.2.840.113549.1.12.10.1.3"))
            + tree.tlv(0xA0, cert_bag),
        )

    data_oid = tree.tlv(tree.OID, tree.oid_content("1.2.840.113549.1.7.1"))
    contents = tree.tlv(tree.SEQUENCE, b"".join(bag(d) for d in certificates))
    safe = tree.tlv(tree.SEQUENCE, data_oid + tree.tlv(0xA0, tree.tlv(tree.OCTET_STRING, contents)))
    auth = tree.tlv(tree.SEQUENCE, safe)
    return tree.tlv(
        tree.SEQUENCE,
        tree.tlv(tree.INTEGER, b"\x03")
        + tree.tlv(tree.SEQUENCE, data_oid + tree.tlv(0xA0, tree.tlv(tree.OCTET_STRING, auth))),
    )


# --- running the command line ----------------------------------------------------------------


class _Unexpected(logging.Handler):
    """Keeps what the command line's catch-all logged as an unexpected error."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


def run_cli(
    argv: list[str], backend_factory: Callable[[], Any] | None = None
) -> tuple[int, str, str]:
    """`ndnclient ARGS`, its output kept; an error the command line could only call
    "unexpected" escapes (with its cause)."""
    from ndnclient import cli

    logger = logging.getLogger("ndnclient.cli")
    catcher = _Unexpected()
    level = logger.level
    logger.addHandler(catcher)
    logger.setLevel(logging.DEBUG)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv, backend_factory=backend_factory)
    finally:
        logger.removeHandler(catcher)
        logger.setLevel(level)
    if catcher.errors:
        raise Escaped(f"ndnclient {' '.join(argv)}: unexpected error") from catcher.errors[0]
    return status, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def isolated_folder() -> Iterator[Path]:
    """A temporary folder, and settings, policy and logs of its own (never the user's)."""
    names = ("NDNCLIENT_CONFIG_DIR", "NDNCLIENT_POLICY_FILE", "NDNCLIENT_LOG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="ndnclient-fuzz-") as folder:
        root = Path(folder)
        os.environ["NDNCLIENT_CONFIG_DIR"] = str(root / "config")
        os.environ["NDNCLIENT_POLICY_FILE"] = str(root / "no-policy.toml")
        os.environ["NDNCLIENT_LOG_DIR"] = str(root / "logs")
        try:
            yield root
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


# --- certificates:cert_show ------------------------------------------------------------------


@dataclass(frozen=True)
class FileCase:
    data: bytes
    password: bytes | None
    via: str  # "inspect", "cli" (`cert show FILE`), "card" (the card's certificate)


class CertShow:
    """A certificate file (or the card's certificate) through the inspector."""

    name = "certificates:cert_show"
    examples_in_tests = 250

    def __init__(self) -> None:
        self._folder: Path | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        seeds()
        with isolated_folder() as folder:
            self._folder = folder
            try:
                yield
            finally:
                self._folder = None

    def generate(self, rng: random.Random) -> FileCase:
        known = seeds()
        first = edit(rng, rng.choice(known.viewer))
        others = [
            edit(rng, d) if rng.random() < 0.3 else d
            for d in rng.sample(known.viewer, rng.randint(0, 2))
        ]
        form = rng.choices(range(5), (3, 3, 2, 1, 1))[0]
        password: bytes | None = None
        if form == 0:
            data = first
        elif form == 1:
            data = b"".join(pem(d) for d in [first, *others])
            if rng.random() < 0.15:
                data = mutate_bytes(rng, data)
        elif form == 2:
            data = pkcs12_without_mac([first, *others])
            if rng.random() < 0.3:
                data = edit(rng, data)
            password = rng.choice((None, None, PASSWORD))
        elif form == 3:
            data = P12_LOCKED if rng.random() < 0.3 else mutate_bytes(rng, P12_LOCKED)
            password = rng.choice((None, PASSWORD, PASSWORD, b"wrong"))
        else:
            data = mutate_bytes(rng, rng.choice(known.viewer), rounds=rng.randint(1, 8))
        via = rng.choices(("inspect", "cli", "card"), (8, 1, 1))[0]
        return FileCase(data, password, via)

    def run_one(self, case: FileCase) -> None:
        if case.via == "card":
            # The card holds DER: what it holds goes to the inspector as the card's.
            _inspect_and_render(lambda: inspect_card_certificate(case.data))
            return
        if case.via == "cli" and self._folder is not None:
            path = self._folder / "certificate.bin"
            path.write_bytes(case.data)
            for argv in (["cert", "show", str(path)], ["cert", "show", "--json", str(path)]):
                status, _out, err = run_cli(argv)
                if status != 0 and not err.strip():
                    raise AssertionError(f"exit {status} without a sentence")
            return
        _inspect_and_render(lambda: inspect_file(case.data, case.password))


def _inspect_and_render(inspect: Callable[[], list[dict[str, Any]]]) -> None:
    documents = inspect()
    json.dumps({"certificates": documents}, ensure_ascii=False)
    for messages in MESSAGES:
        for document in documents:
            certificate_lines(document, messages)


# --- certificates:chain ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCase:
    user: bytes
    ca: bytes
    anchor: bytes | None  # a configured trust-anchor file's content (None: the seed CA)
    crl: int  # which seed CRL G08 gets, when the chain holds
    cli: bool


class Chain:
    """The card's certificates through card status and the operation check."""

    name = "certificates:chain"
    examples_in_tests = 150

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._state: VirtualCardState | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        known = seeds()
        with isolated_folder() as folder:
            self._folder = folder
            # The card's own keys stay: only the certificates it hands out are edited.
            self._state = dataclasses.replace(
                create_state(kdf_iterations=1000, card_number=CARD_NUMBER),
                user_certificate_der=known.user_der,
                ca_certificate_der=known.ca_der,
            )
            try:
                yield
            finally:
                self._folder = None
                self._state = None

    def generate(self, rng: random.Random) -> ChainCase:
        known = seeds()
        user, ca, anchor = known.user_der, known.ca_der, None
        what = rng.randrange(6)
        if what <= 2:
            user = edit(rng, user, known.ca_key)
        elif what == 3:
            ca = edit(rng, ca, known.ca_key)
        elif what == 4:
            user = edit(rng, user, known.ca_key)
            ca = edit(rng, ca, known.ca_key)
        else:
            anchor = edit(rng, known.ca_der, known.ca_key)
            if rng.random() < 0.5:
                anchor = pem(anchor)
        crl = rng.randrange(len(known.crls))
        return ChainCase(user, ca, anchor, crl, cli=rng.random() < 0.1)

    def run_one(self, case: ChainCase) -> None:
        assert self._state is not None
        assert self._folder is not None
        state = dataclasses.replace(
            self._state, user_certificate_der=case.user, ca_certificate_der=case.ca
        )
        backend = VirtualReaderBackend(VirtualGoSignCard(state))
        # card status: what could be read is shown, a bad certificate is its own problem.
        status = read_card_status(backend)
        if status.info is None or status.pin is None or status.unlock is None:
            raise AssertionError(f"card status lost what it read: {status.problem!r}")
        if status.certificate is None and not isinstance(status.problem, CardError):
            raise AssertionError("no certificate and no problem")
        if case.cli:
            backend.close = lambda: None  # type: ignore[method-assign]
            exit_status, out, err = run_cli(["card", "status"], backend_factory=lambda: backend)
            if CARD_NUMBER_DISPLAY not in out or (exit_status != 0 and not err.strip()):
                raise AssertionError(f"card status printed no card number or no sentence: {err}")
            for argv in (
                ["card", "cert", "--pem"],
                ["card", "cert", "--ca"],
                ["cert", "show", "--card"],
            ):
                exit_status, out, err = run_cli(argv, backend_factory=lambda: backend)
                if exit_status != 0 and not err.strip():
                    raise AssertionError(f"{argv}: exit {exit_status} without a sentence")
        anchor_files: list[str] = []
        if case.anchor is not None:
            path = self._folder / "anchor.pem"
            path.write_bytes(case.anchor)
            anchor_files.append(str(path))
        else:
            path = self._folder / "anchor.der"
            path.write_bytes(seeds().ca_der)
            anchor_files.append(str(path))
        # The case's anchor alone: not this machine's store (its cost, its contents).
        settings = merge(
            {"trust.anchor_files": anchor_files, "trust.use_system_store": False}, Policy()
        )
        context = CheckContext(settings, lambda job: job(backend), clock=lambda: NOW)
        for code, check in (
            ("G01", checks.g01_service_and_reader),
            ("G02", checks.g02_card_present),
            ("G03", checks.g03_gosign_certificate),
        ):
            if _run_check(context, code, check).status is not CheckStatus.OK:
                return
        _run_check(context, "G05", checks.g05_validity)
        if _run_check(context, "G09", checks.g09_chain).status is not CheckStatus.OK:
            return
        known = seeds()
        raw = {
            ldap_repository.CRL_ATTRIBUTE: [known.crls[case.crl]],
            ldap_repository.ARL_ATTRIBUTE: [known.arls[0]],
        }
        crl = ldap_repository._parse_list(raw, ldap_repository.CRL_ATTRIBUTE)
        arl = ldap_repository._parse_list(raw, ldap_repository.ARL_ATTRIBUTE)
        context.ldap = ProbeResult(
            LdapTarget("ldap", "ldap.example.jp", 389, "o=test"), crl=crl, arl=arl
        )
        _run_check(context, "G08", checks.g08_revocation)


def _run_check(
    context: CheckContext, code: str, check: Callable[[CheckContext], Outcome]
) -> Outcome:
    """One check, its texts rendered as the report does. A check never raises: anything it
    raises would be "unexpected error" in the report."""
    try:
        outcome = check(context)
    except Exception as error:
        raise Escaped(f"{code} raised") from error
    context.catalogue.render(code, outcome)
    json.dumps(outcome.facts, ensure_ascii=False, default=str)
    return outcome


# --- certificates:crl ------------------------------------------------------------------------


@dataclass(frozen=True)
class CrlCase:
    crl: bytes
    arl: bytes


class Crl:
    """The CRL and ARL from the repository, through G04's parsing, G08 and G12."""

    name = "certificates:crl"
    examples_in_tests = 250

    def __init__(self) -> None:
        self._context: CheckContext | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        known = seeds()
        from ndnclient.pki.trust import AnchorSet, verify_chain

        context = CheckContext(merge({}, Policy()), lambda job: job(None), clock=lambda: NOW)
        context.card.certificate = known.user
        context._anchors = AnchorSet((known.ca,), ())
        context.chain = verify_chain(known.user, (known.ca,), (), NOW)
        assert context.chain.trusted
        self._context = context
        try:
            yield
        finally:
            self._context = None

    def generate(self, rng: random.Random) -> CrlCase:
        known = seeds()
        crl = rng.choice(known.crls)
        arl = rng.choice(known.arls)
        roll = rng.random()
        if roll < 0.75:
            crl = edit(rng, crl, known.ca_key)
        if roll > 0.6:
            arl = edit(rng, arl, known.ca_key)
        return CrlCase(crl, arl)

    def run_one(self, case: CrlCase) -> None:
        assert self._context is not None
        raw = {
            ldap_repository.CRL_ATTRIBUTE: [case.crl],
            ldap_repository.ARL_ATTRIBUTE: [case.arl],
        }
        try:
            crl = ldap_repository._parse_list(raw, ldap_repository.CRL_ATTRIBUTE)
            arl = ldap_repository._parse_list(raw, ldap_repository.ARL_ATTRIBUTE)
        except ldap_repository._Failed as failed:
            if failed.reason is ProbeReason.BAD_CRL:
                return  # G04 says "bad_crl": the promise held
            raise
        probe = ProbeResult(LdapTarget("ldap", "ldap.example.jp", 389, "o=test"), crl=crl, arl=arl)
        json.dumps(probe.facts(), ensure_ascii=False)
        self._context.ldap = probe
        _run_check(self._context, "G08", checks.g08_revocation)
        _run_check(self._context, "G12", checks.g12_clock)


TARGETS = [CertShow(), Chain(), Crl()]
