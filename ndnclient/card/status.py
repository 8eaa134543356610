"""Card status: everything `card status` and the GUI's home page show, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ndnclient.card.connection import ReaderBackend, ReaderSlot
from ndnclient.card.errors import (
    CardCertificateError,
    CardError,
    CardNotRespondingError,
    NoCardError,
    NotGoSignCardError,
)
from ndnclient.card.info import CardInfo
from ndnclient.card.readers import matching_readers
from ndnclient.card.session import (
    CardType,
    GoSignSession,
    PinCounter,
    ProfileChoice,
    error_for_card_type,
)

if TYPE_CHECKING:
    from cryptography import x509

JAPAN_TIME = timezone(timedelta(hours=9), "JST")


def today_in_japan() -> date:
    return datetime.now(JAPAN_TIME).date()


def in_japan(moment: datetime) -> datetime:
    """`moment` in Japan time. A certificate with no end date ends 9999-12-31 23:59:59 UTC
    (RFC 5280, 4.1.2.5), which in Japan is already in the year 10000: such a moment becomes
    the last one a datetime holds."""
    try:
        return moment.astimezone(JAPAN_TIME)
    except OverflowError:
        return datetime.max.replace(tzinfo=JAPAN_TIME)


def load_card_certificate(der: bytes) -> x509.Certificate:
    """A certificate read from the card (the holder's or its CA's), through the one
    boundary for certificates from outside (ndnclient.pki.untrusted): one that cannot be
    read is the card's problem, told with the card's sentence."""
    # Loaded here: commands that never read a certificate (a PIN command) skip cryptography.
    from ndnclient.pki.untrusted import UntrustedDataError, certificate_from_der

    try:
        return certificate_from_der(der)
    except UntrustedDataError as error:
        raise CardCertificateError(f"the certificate on the card: {error}") from None


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    issuer: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str

    @classmethod
    def from_der(cls, der: bytes) -> CertificateSummary:
        """The summary of a certificate read from the card; CardCertificateError when it
        cannot be read."""
        from cryptography.hazmat.primitives import hashes

        certificate = load_card_certificate(der)
        return cls(
            subject=certificate.subject.rfc4514_string(),
            issuer=certificate.issuer.rfc4514_string(),
            serial_number=f"{certificate.serial_number:X}",
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        )

    def to_json(self) -> dict[str, str]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial_number": self.serial_number,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "sha256_fingerprint": self.sha256_fingerprint,
        }


@dataclass(frozen=True)
class CardStatus:
    """What was found. `problem` is the error that stopped the read, if any."""

    readers: tuple[str, ...]
    reader: str | None
    card_type: CardType
    info: CardInfo | None = None
    certificate: CertificateSummary | None = None
    pin: PinCounter | None = None
    unlock: PinCounter | None = None
    problem: CardError | None = None
    # The name of the card profile whose application answered (a GoSign card only).
    profile: str | None = None

    @property
    def usable(self) -> bool:
        return self.problem is None and self.card_type is CardType.GOSIGN

    def days_left(self, today: date | None = None) -> int | None:
        """Days of validity left counting today, as valid_to is inclusive: 1 on the last
        valid day, 0 or less once expired."""
        if self.info is None:
            return None
        return (self.info.valid_to - (today or today_in_japan())).days + 1

    @property
    def card_type_key(self) -> str:
        """The message key naming the card type. A card that could not be asked (held by
        another program, mute, pulled) is "unidentified", not "not a GoSign card"."""
        if self.card_type is CardType.UNKNOWN and not isinstance(self.problem, NotGoSignCardError):
            return "card_type.unidentified"
        return f"card_type.{self.card_type.value}"

    def to_json(self) -> dict[str, Any]:
        """The stable `card status --json` fields (without the error text)."""
        return {
            "readers": list(self.readers),
            **self._identity_json(),
            "days_left": self.days_left(),
            "pin_tries_left": self.pin.tries_left if self.pin else None,
            "pin_max_tries": self.pin.max_tries if self.pin else None,
            "pin_verified": self.pin.verified if self.pin else None,
            "unlock_tries_left": self.unlock.tries_left if self.unlock else None,
            "certificate": self.certificate.to_json() if self.certificate else None,
        }

    def card_json(self, registered: bool | None) -> dict[str, Any]:
        """This card as one entry of a list of inserted cards (`card status --json`'s
        "cards", the cards a PIN command could not choose between)."""
        return {
            **self._identity_json(),
            "pin_tries_left": self.pin.tries_left if self.pin else None,
            "unlock_tries_left": self.unlock.tries_left if self.unlock else None,
            "registered": registered,
        }

    def _identity_json(self) -> dict[str, Any]:
        """Which card this is and where: the fields both JSON forms start with."""
        info = self.info
        return {
            "reader": self.reader,
            "card_type": self.card_type.value,
            "profile": self.profile,
            "card_number": info.card_number if info else None,
            "card_number_display": info.card_number_display if info else None,
            "holder": info.holder if info else None,
            "valid_from": info.valid_from.isoformat() if info else None,
            "valid_to": info.valid_to.isoformat() if info else None,
        }


@dataclass(frozen=True)
class CardSurvey:
    """Every card in the readers considered, each read as `card status` reads one.

    `cards` holds one status per reader with a card in it, in reader order. With no card at
    all, `absent` says why: no service, no reader, none matching NDNCLIENT_READER, no card.
    """

    readers: tuple[str, ...]
    cards: tuple[CardStatus, ...]
    absent: CardStatus | None = None

    def primary(self) -> CardStatus:
        """The one card to show where one is shown: a GoSign card first (a My Number card may
        sit in a second reader), else the first card, else why there is none."""
        for status in self.cards:
            if status.card_type is CardType.GOSIGN:
                return status
        if self.cards:
            return self.cards[0]
        if self.absent is None:  # a survey without cards always says why
            return CardStatus(self.readers, None, CardType.NONE, problem=NoCardError("no card"))
        return self.absent


def survey_cards(
    backend: ReaderBackend,
    name_filter: str | None = None,
    *,
    full: bool = True,
    profile: ProfileChoice = None,
) -> CardSurvey:
    """Read every inserted card in the (filtered) readers. Never raises a CardError: what
    went wrong with a card is in its `problem`. `full=False` reads only what tells the cards
    apart (type, number, holder, validity), for choosing one before a PIN command."""
    try:
        snapshot = backend.snapshot()
        readers = tuple(snapshot)
        slots = matching_readers(snapshot, name_filter)
    except CardError as error:
        nothing = CardStatus(readers=(), reader=None, card_type=CardType.NONE, problem=error)
        return CardSurvey((), (), nothing)
    present = [slot for slot in slots if slot.card_present]
    if not present:
        names = ", ".join(slot.name for slot in slots)
        problem = NoCardError(f"no card in {names}", reader=names)
        return CardSurvey(
            readers, (), CardStatus(readers, slots[0].name, CardType.NONE, problem=problem)
        )
    cards = tuple(_read_one(backend, readers, slot, profile, full=full) for slot in present)
    return CardSurvey(readers, cards)


def read_card_status(
    backend: ReaderBackend,
    name_filter: str | None = None,
    *,
    profile: ProfileChoice = None,
) -> CardStatus:
    """Read the status of the GoSign card in the (filtered) readers; of several, the first.
    Never raises a CardError: what went wrong is in `problem`, with whatever was read before
    it. Where more than one card may be present, use `survey_cards` and choose."""
    return survey_cards(backend, name_filter, profile=profile).primary()


def _read_one(
    backend: ReaderBackend,
    readers: tuple[str, ...],
    slot: ReaderSlot,
    profile: ProfileChoice,
    *,
    full: bool = True,
) -> CardStatus:
    found: dict[str, Any] = {"card_type": CardType.UNKNOWN}
    try:
        if slot.mute:
            raise CardNotRespondingError(f"the card in {slot.name} does not answer")
        connection = backend.connect(slot.name)
        try:
            with connection.transaction():
                session = GoSignSession(connection, profile)
                found["card_type"] = session.identify()
                unusable = error_for_card_type(found["card_type"])
                if unusable is not None:
                    raise unusable
                found["profile"] = session.profile.name
                found["info"] = session.read_card_info()
                if full:
                    # The counters before the certificate: a bad certificate must not hide them.
                    found["pin"] = session.pin_counter("pin")
                    found["unlock"] = session.pin_counter("unlock")
                    certificate = session.read_user_certificate()
                    found["certificate"] = CertificateSummary.from_der(certificate)
        finally:
            connection.close()
    except CardError as error:
        return CardStatus(readers, slot.name, problem=error, **found)
    return CardStatus(readers, slot.name, **found)
