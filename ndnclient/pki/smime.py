"""S/MIME signatures (detached, multipart/signed) made with cryptography's PKCS#7 builder, so
that any key cryptography accepts signs: the IC card's (card_key.CardPrivateKey) included."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7


def text_entity(text: str) -> bytes:
    """A message as the MIME part that gets signed: text/plain in UTF-8, base64 so that no
    mail server on the way can change a byte (and break the signature), CRLF line ends."""
    body = base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")
    return (
        b'Content-Type: text/plain; charset="UTF-8"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n" + body
    )


def sign_detached(
    entity: bytes,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey,
    chain: Sequence[x509.Certificate] = (),
) -> bytes:
    """The whole multipart/signed message: `entity` as it is, then the signature (SHA-256,
    PKCS#1 v1.5), with the signer's certificate and `chain` in it for the reader."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(entity).add_signer(certificate, key, hashes.SHA256())
    )
    for extra in chain:
        builder = builder.add_certificate(extra)
    return builder.sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
