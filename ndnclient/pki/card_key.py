"""The IC card's key as cryptography's RSA private key, so that cryptography's own builders
(PKCS#7 / S/MIME) sign with the card.

cryptography lets its RSA private key class be subclassed; its builders hand `sign()` the
bytes to sign, the padding and the hash. Here `sign()` hashes them, wraps the digest in a
DigestInfo, and has the card sign that (COMPUTE DIGITAL SIGNATURE, docs/card-profile.md) right
after the PIN check, both in one card transaction (PinGuard.verify_and_sign), so no other
program can reset the card or select another application in between. The PIN rules are the
ones of every PIN command: the tries are read first, nothing is sent at 0, and the last try
needs an explicit confirmation.

The private half never leaves the card: everything that would export it raises.
"""

from __future__ import annotations

import hashlib
from typing import Any, NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from ndnclient.card.errors import CardCertificateError, CardError, PinError
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.pin_events import SignOperation

# `sign` takes a parameter named `padding`, as the class it overrides does.
_PKCS1v15 = padding.PKCS1v15

# DER DigestInfo prefixes (RFC 8017 section 9.2, note 1): the hashes the card accepts.
DIGEST_INFO_PREFIXES: dict[str, bytes] = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


class CardSignatureError(CardError):
    """The card's signature does not verify with its own certificate's key."""

    message_key = "card.bad_signature"


def digest_info(data: bytes, algorithm: hashes.HashAlgorithm, *, prehashed: bool) -> bytes:
    """The DER DigestInfo the card signs: the hash's identifier and the digest of `data`."""
    prefix = DIGEST_INFO_PREFIXES.get(algorithm.name)
    if prefix is None:
        raise ValueError(f"the card signs SHA-256, SHA-384 or SHA-512 only, not {algorithm.name}")
    if prehashed:
        if len(data) != algorithm.digest_size:
            raise ValueError("a prehashed digest of the wrong length")
        return prefix + data
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return prefix + digest.finalize()


def _sha256_of(data: bytes, algorithm: hashes.HashAlgorithm, prehashed: bool) -> str | None:
    """The SHA-256 of the signed data for the use record; None when only another hash of
    it was handed over."""
    if not prehashed:
        return hashlib.sha256(data).hexdigest()
    return data.hex() if algorithm.name == "sha256" else None


class CardPrivateKey(rsa.RSAPrivateKey):
    """The card's RSA key. `pin` stays the caller's to wipe; `last_try_confirmed` is the
    user's explicit yes when one try is left. `operation` and `data_sha256` name the
    signature in the use record (the lending ledger): what it is for, and the SHA-256 of
    the data the user signs (by default, of the bytes handed to `sign`)."""

    def __init__(
        self,
        guard: PinGuard,
        certificate: x509.Certificate,
        pin: SecretBuffer,
        *,
        last_try_confirmed: bool = False,
        operation: SignOperation = "sign_smime",
        data_sha256: str | None = None,
    ) -> None:
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            # The card signs with RSA: a certificate with another key is not this card's.
            raise CardCertificateError("the card's certificate does not hold an RSA key")
        self._guard = guard
        self._public = public
        self._pin = pin
        self._last_try_confirmed = last_try_confirmed
        self._operation: SignOperation = operation
        self._data_sha256 = data_sha256
        self._refused: PinError | None = None
        self.signatures_made = 0

    def sign(
        self,
        data: bytes,
        padding: padding.AsymmetricPadding,
        algorithm: utils.Prehashed | hashes.HashAlgorithm | utils.NoDigestInfo,
    ) -> bytes:
        if not isinstance(padding, _PKCS1v15):
            raise ValueError("the card signs with PKCS#1 v1.5 padding only")
        if isinstance(algorithm, utils.NoDigestInfo):
            raise ValueError("the card signs a DigestInfo, never bare data")
        prehashed = isinstance(algorithm, utils.Prehashed)
        hash_algorithm: hashes.HashAlgorithm = (
            algorithm._algorithm  # Prehashed keeps its hash under a private name only
            if isinstance(algorithm, utils.Prehashed)
            else algorithm
        )
        info = digest_info(data, hash_algorithm, prehashed=prehashed)
        if self._refused is not None:
            # The card refused this PIN already: sending it again would spend another try.
            raise self._refused
        try:
            signature = self._guard.verify_and_sign(
                self._pin,
                info,
                last_try_confirmed=self._last_try_confirmed,
                operation=self._operation,
                data_sha256=self._data_sha256 or _sha256_of(data, hash_algorithm, prehashed),
            )
        except PinError as error:
            self._refused = error
            raise
        # A card fault must not leave as a signature: check it with the certificate's key.
        try:
            self._public.verify(signature, data, padding, algorithm)
        except InvalidSignature:
            raise CardSignatureError("the card's signature does not verify") from None
        self.signatures_made += 1
        return signature

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        raise NotImplementedError("the card's key signs; this client does not decrypt with it")

    def private_numbers(self) -> NoReturn:
        raise TypeError("the private key never leaves the IC card")

    def private_bytes(self, *_args: Any, **_kwargs: Any) -> NoReturn:
        raise TypeError("the private key never leaves the IC card")

    def __copy__(self) -> CardPrivateKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> CardPrivateKey:
        return self

    def __repr__(self) -> str:
        return f"CardPrivateKey(RSA {self.key_size})"
