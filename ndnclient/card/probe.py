"""A read-only look at any card: what it is, which applications and files it has, and what it
answers, command by command.

Why: the issuer does not publish its card's command set (docs/card-profile.md), so the client
speaks a profile of its own. When a real card behaves otherwise, the helpdesk needs to see what
that card actually answers; `probe_card` records it, in a report that holds no secret and as
little personal data as the helpdesk needs: file sizes and tags, never CARD_INFO's values;
certificates only as subject (which names the holder and the card number), issuer, dates and
CRL addresses.

The rule: every command goes through `AllowlistConnection`, which checks the raw bytes against
`ALLOWLIST` before they reach the card: CLA 00 and one of SELECT, READ BINARY, GET RESPONSE,
GET DATA, or VERIFY without data (exactly CLA INS P1 P2: it only reads a counter). Anything
else is refused (`ProbeRefusedError`) and never sent. So the probe cannot change the card and
cannot spend a try: no PIN, no unlock code, nothing secret is ever sent.

Whatever the card answers, `probe_card` returns a report: an odd answer is noted in the entry
it concerns and the probe goes on. Only a card or reader that disappears ends it early, and
then the report holds what was gathered before, with `error` set.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ndnclient.card.apdu import SHORT_MAX_LE, SW, CommandApdu, Ins, tries_left_from_sw
from ndnclient.card.atr import AtrInfo, decode_atr
from ndnclient.card.connection import ReaderBackend, SmartCardConnection
from ndnclient.card.errors import (
    CardError,
    CardInUseError,
    CardNotRespondingError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NoServiceError,
    TransportError,
)
from ndnclient.card.profile import JPKI_AID, KENMEN_HOJO_AID, GoSignProfile, active_profiles
from ndnclient.card.readers import matching_readers
from ndnclient.card.session import CardType, read_binary_answer
from ndnclient.card.tlv import TlvIncomplete, read_header, read_tlv
from ndnclient.card.transport import ApduTransport
from ndnclient.fileio import NewFileError, atomic_write

# --- The allowlist: the one place that says what may reach the card ------------------------

ALLOWED_CLA = 0x00
INS_GET_DATA = 0xCA
# INS -> True when the command must be the bare 4-byte header (ISO case 1, no Lc, no data,
# no Le): a VERIFY without data only reports the counter and spends nothing.
ALLOWLIST: dict[int, bool] = {
    Ins.SELECT: False,
    Ins.READ_BINARY: False,
    Ins.GET_RESPONSE: False,
    INS_GET_DATA: False,
    Ins.VERIFY: True,
}
HEADER_LENGTH = 4


class ProbeRefusedError(Exception):
    """The probe was about to send a command outside `ALLOWLIST`; nothing was sent.

    Not a CardError: it says nothing about the card, only that the caller broke the rule."""


def refusal_reason(apdu: bytes | bytearray) -> str | None:
    """Why `apdu` may not be sent during a probe, or None when it may."""
    if len(apdu) < HEADER_LENGTH:
        return f"a command of {len(apdu)} bytes has no header"
    if apdu[0] != ALLOWED_CLA:
        return f"CLA {apdu[0]:02X} is not {ALLOWED_CLA:02X}"
    header_only = ALLOWLIST.get(apdu[1])
    if header_only is None:
        return f"INS {apdu[1]:02X} is not on the probe's allowlist"
    if header_only and len(apdu) != HEADER_LENGTH:
        return f"INS {apdu[1]:02X} is allowed only without data (4 bytes, not {len(apdu)})"
    return None


# --- What the report holds -------------------------------------------------------------------


def hex_upper(data: bytes | bytearray) -> str:
    return bytes(data).hex().upper()


def sw_hex(sw: int | None) -> str | None:
    return None if sw is None else f"{sw:04X}"


@dataclass(frozen=True)
class Exchange:
    """One command as it went to the card, and the answer's SW and data length (never the
    data). `sw` is None when no status word came back."""

    command: str
    sw: str | None
    length: int

    def to_json(self) -> dict[str, Any]:
        return {"command": self.command, "sw": self.sw, "length": self.length}


@dataclass(frozen=True)
class ProbedApplication:
    aid: bytes
    name: str
    sw: int | None
    error: str | None = None

    @property
    def selected(self) -> bool:
        return self.sw == SW.SUCCESS

    def to_json(self) -> dict[str, Any]:
        return {
            "aid": hex_upper(self.aid),
            "name": self.name,
            "sw": sw_hex(self.sw),
            "selected": self.selected,
            "error": self.error,
        }


@dataclass(frozen=True)
class ProbedFile:
    """A file the probe selected. `size` is the total its BER-TLV header gives; `tags` are the
    tags inside CARD_INFO (never their values), None for other files."""

    application: bytes | None
    fid: int
    name: str
    sw: int | None
    size: int | None = None
    tags: tuple[str, ...] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "application": None if self.application is None else hex_upper(self.application),
            "fid": f"{self.fid:04X}",
            "name": self.name,
            "sw": sw_hex(self.sw),
            "size": self.size,
            "tags": None if self.tags is None else list(self.tags),
            "error": self.error,
        }


@dataclass(frozen=True)
class ProbedCertificate:
    file: str
    subject: str | None = None
    issuer: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    crl_distribution_points: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "crl_distribution_points": list(self.crl_distribution_points),
            "error": self.error,
        }


@dataclass(frozen=True)
class ProbedCounter:
    """A status-only VERIFY: `tries_left` from 63Cx (6983: 0); None for 9000 (verified in
    this card session) or any other answer."""

    name: str
    reference: int
    sw: int | None
    tries_left: int | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reference": f"{self.reference:02X}",
            "sw": sw_hex(self.sw),
            "tries_left": self.tries_left,
            "error": self.error,
        }


@dataclass(frozen=True)
class CardProbe:
    """Everything one probe found, in the order it was asked."""

    reader: str | None
    protocol: str | None
    atr: bytes
    atr_decoded: AtrInfo | None
    card_type: str
    profile: str | None
    applications: tuple[ProbedApplication, ...]
    files: tuple[ProbedFile, ...]
    certificates: tuple[ProbedCertificate, ...]
    counters: tuple[ProbedCounter, ...]
    transcript: tuple[Exchange, ...]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "reader": self.reader,
            "protocol": self.protocol,
            "atr": hex_upper(self.atr),
            "atr_decoded": None if self.atr_decoded is None else self.atr_decoded.to_json(),
            "card_type": self.card_type,
            "profile": self.profile,
            "applications": [item.to_json() for item in self.applications],
            "files": [item.to_json() for item in self.files],
            "certificates": [item.to_json() for item in self.certificates],
            "counters": [item.to_json() for item in self.counters],
            "transcript": [item.to_json() for item in self.transcript],
            "error": self.error,
        }


# --- The guarded connection -------------------------------------------------------------------


class AllowlistConnection:
    """A `SmartCardConnection` that sends only what `ALLOWLIST` admits and records every
    exchange. Build the `ApduTransport` over this, so that its GET RESPONSE and 6Cxx re-sends
    pass the same check."""

    def __init__(self, connection: SmartCardConnection) -> None:
        self._connection = connection
        self.transcript: list[Exchange] = []

    @property
    def reader_name(self) -> str:
        return self._connection.reader_name

    @property
    def atr(self) -> bytes:
        return self._connection.atr

    @property
    def protocol(self) -> str:
        return self._connection.protocol

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        """Check `apdu`, then send it. ProbeRefusedError, with nothing sent, if not allowed."""
        command = bytes(apdu)
        reason = refusal_reason(command)
        if reason is not None:
            raise ProbeRefusedError(reason)
        try:
            answer = self._connection.transmit(command)
        except BaseException:
            self.transcript.append(Exchange(hex_upper(command), None, 0))
            raise
        if len(answer) < 2:
            self.transcript.append(Exchange(hex_upper(command), None, len(answer)))
        else:
            sw = (answer[-2] << 8) | answer[-1]
            self.transcript.append(Exchange(hex_upper(command), sw_hex(sw), len(answer) - 2))
        return answer

    def transaction(self) -> AbstractContextManager[None]:
        return self._connection.transaction()

    def close(self, *, reset: bool = False) -> None:
        self._connection.close(reset=reset)


# --- The probe -----------------------------------------------------------------------------------

# The connection or the reader is gone: nothing more can be asked.
CONNECTION_LOST = (
    CardRemovedError,
    CardNotRespondingError,
    NoCardError,
    TransportError,
    CardInUseError,
    NoReaderError,
    NoServiceError,
)

# Names for the My Number card's applications (the AIDs themselves are the profiles' data).
MYNUMBER_APPLICATIONS = {
    JPKI_AID: "マイナンバーカード 公的個人認証（JPKI）",
    KENMEN_HOJO_AID: "マイナンバーカード 券面事項入力補助AP",
}
OTHER_APPLICATIONS = {
    bytes.fromhex("A000000063504B43532D3135"): "PKCS#15",
    bytes.fromhex("A000000308"): "PIV",
}
FID_MF = 0x3F00
FID_EF_DIR = 0x2F00
SELECT_MF_P1 = 0x00
SELECT_NO_ANSWER_P2 = 0x0C  # docs/card-profile.md: every SELECT asks for no answer data
SELECT_ANSWER_P2 = 0x00  # "return FCI": the fallback for a card that refuses P2 0C
WRONG_P2_SWS = frozenset({0x6A86, 0x6A87, SW.WRONG_P1P2})
EF_DIR_MAX = 1024  # EF.DIR lists a few applications; more is not read
MAX_FILE_SIZE = 0x8000  # READ BINARY reaches offsets up to 7FFF
AID_LENGTHS = range(5, 17)  # ISO/IEC 7816-4: an AID has 5 to 16 bytes
TAG_APPLICATION_TEMPLATE = 0x61
TAG_AID = 0x4F
TAG_LABEL = 0x50

T = TypeVar("T")


class _AnswerProblem(Exception):
    """The card answered, but not with something the probe can use (noted, then go on)."""


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _attempt(step: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run one step; an odd answer becomes a note. A lost connection still ends the probe."""
    try:
        return step(), None
    except CONNECTION_LOST:
        raise
    except (CardError, ProbeRefusedError, _AnswerProblem, ValueError) as error:
        return None, describe(error)


@dataclass
class _Prober:
    transport: ApduTransport
    profiles: Sequence[GoSignProfile]
    applications: list[ProbedApplication] = field(default_factory=list)
    files: list[ProbedFile] = field(default_factory=list)
    certificates: list[ProbedCertificate] = field(default_factory=list)
    counters: list[ProbedCounter] = field(default_factory=list)
    card_type: str = CardType.UNKNOWN.value
    profile: GoSignProfile | None = None

    def run(self) -> None:
        catalogue = self._catalogue()
        for aid, name in catalogue.items():
            self._select_application(aid, name)
        for aid, label in self._ef_dir_applications():
            if aid not in catalogue:
                catalogue[aid] = label
                self._select_application(aid, label)
        self._identify()
        if self.profile is not None:
            self._probe_gosign(self.profile)

    def _catalogue(self) -> dict[bytes, str]:
        catalogue: dict[bytes, str] = {}
        for profile in self.profiles:
            catalogue.setdefault(profile.aid, f"GoSign (profile {profile.name})")
        for profile in self.profiles:
            for aid in profile.mynumber_aids:
                catalogue.setdefault(
                    aid, MYNUMBER_APPLICATIONS.get(aid, f"My Number card (profile {profile.name})")
                )
        for aid, name in (*MYNUMBER_APPLICATIONS.items(), *OTHER_APPLICATIONS.items()):
            catalogue.setdefault(aid, name)
        return catalogue

    def _identify(self) -> None:
        selected = {item.aid for item in self.applications if item.selected}
        self.profile = next((p for p in self.profiles if p.aid in selected), None)
        mynumber = set(MYNUMBER_APPLICATIONS).union(*(p.mynumber_aids for p in self.profiles))
        if self.profile is not None:
            self.card_type = CardType.GOSIGN.value
        elif selected & mynumber:
            self.card_type = CardType.MYNUMBER.value

    # SELECT ----------------------------------------------------------------------------------

    def _select(self, p1: int, data: bytes) -> int:
        """SELECT with P2 0C (no answer data); a card that refuses that P2 is asked again with
        P2 00 (still SELECT: it only returns the FCI, which is not kept)."""
        sw = self.transport.send(CommandApdu(0x00, Ins.SELECT, p1, SELECT_NO_ANSWER_P2, data)).sw
        if sw in WRONG_P2_SWS:
            sw = self.transport.send(CommandApdu(0x00, Ins.SELECT, p1, SELECT_ANSWER_P2, data)).sw
        return sw

    def _select_application(self, aid: bytes, name: str) -> None:
        if len(aid) not in AID_LENGTHS:
            note = f"an AID of {len(aid)} bytes is not selected (5 to 16 bytes)"
            self.applications.append(ProbedApplication(aid, name, None, note))
            return
        sw, error = _attempt(lambda: self._select(0x04, aid))
        self.applications.append(ProbedApplication(aid, name, sw, error))

    # EF.DIR ------------------------------------------------------------------------------------

    def _ef_dir_applications(self) -> list[tuple[bytes, str]]:
        sw, error = _attempt(lambda: self._select(SELECT_MF_P1, FID_MF.to_bytes(2, "big")))
        self.files.append(ProbedFile(None, FID_MF, "MF", sw, error=error))
        sw, error = _attempt(lambda: self._select(0x02, FID_EF_DIR.to_bytes(2, "big")))
        if sw != SW.SUCCESS:
            self.files.append(ProbedFile(None, FID_EF_DIR, "EF.DIR", sw, error=error))
            return []
        content, error = _attempt(self._read_ef_dir)
        found: list[tuple[bytes, str]] = []
        if content is not None:
            found, error = parse_ef_dir(content)
        size = None if content is None else len(content)
        self.files.append(ProbedFile(None, FID_EF_DIR, "EF.DIR", sw, size, error=error))
        return found

    def _read_ef_dir(self) -> bytes:
        data = bytearray()
        while len(data) < EF_DIR_MAX:
            chunk, ended = self._read_binary(len(data), SHORT_MAX_LE)
            data += chunk
            if ended or len(chunk) < SHORT_MAX_LE:
                break
        return bytes(data)

    # READ BINARY -------------------------------------------------------------------------------

    def _read_binary(self, offset: int, length: int) -> tuple[bytes, bool]:
        """One short READ BINARY; True when the card said the file ended."""
        le = min(length, SHORT_MAX_LE)
        response = self.transport.send(
            CommandApdu(0x00, Ins.READ_BINARY, offset >> 8, offset & 0xFF, le=le)
        )
        return read_binary_answer(response, le, offset)  # odd answers: CardError, noted

    def _read_size(self, first_read: int) -> tuple[int, bytearray]:
        """The selected file's size from its BER-TLV header (as GoSignSession.read_tlv_file
        reads it), and the bytes read so far."""
        data = bytearray()
        while True:
            chunk, ended = self._read_binary(len(data), first_read)
            data += chunk
            try:
                return read_header(data).total_length, data
            except TlvIncomplete:
                if ended or not chunk:
                    raise _AnswerProblem(
                        f"the file ends inside its header ({len(data)} bytes)"
                    ) from None

    def _read_rest(self, data: bytearray, total: int) -> bytes:
        """The whole object, in short reads."""
        if total > MAX_FILE_SIZE:
            raise _AnswerProblem(f"the header gives {total} bytes, more than READ BINARY reaches")
        while len(data) < total:
            chunk, ended = self._read_binary(len(data), total - len(data))
            data += chunk
            if len(data) < total and (ended or not chunk):
                raise _AnswerProblem(f"the file ends after {len(data)} bytes of {total}")
        return bytes(data[:total])

    # The GoSign application --------------------------------------------------------------

    def _probe_gosign(self, profile: GoSignProfile) -> None:
        # Other SELECTs came after it: the files are under this application. If it does not
        # answer now, nothing more is asked: a file or counter read would go to whatever
        # application is current (another one's reference 81 is another PIN).
        sw, error = _attempt(lambda: self._select(profile.select_by_aid_p1, profile.aid))
        if sw != SW.SUCCESS:
            reason = error or f"the application answered {sw_hex(sw)} when selected again"
            self.applications.append(
                ProbedApplication(profile.aid, f"GoSign (profile {profile.name})", sw, reason)
            )
            return
        for name, fid in (
            ("card_info", profile.fid_card_info),
            ("user_cert", profile.fid_user_cert),
            ("ca_cert", profile.fid_ca_cert),
        ):
            self._probe_file(profile, name, fid)
        for name, reference in (
            ("pin", profile.pin_reference),
            ("unlock", profile.unlock_reference),
        ):
            self._probe_counter(name, reference)

    def _probe_file(self, profile: GoSignProfile, name: str, fid: int) -> None:
        sw, error = _attempt(lambda: self._select(profile.select_by_fid_p1, fid.to_bytes(2, "big")))
        entry = ProbedFile(profile.aid, fid, name, sw, error=error)
        if sw != SW.SUCCESS:
            self.files.append(entry)
            return
        found, error = _attempt(lambda: self._read_size(profile.der_header_length))
        size = None if found is None else found[0]
        content: bytes | None = None
        if found is not None:
            content, error = _attempt(lambda: self._read_rest(found[1], found[0]))
        tags: tuple[str, ...] | None = None
        if content is not None and name == "card_info":
            tags, error = card_info_tags(content)
        self.files.append(ProbedFile(profile.aid, fid, name, sw, size, tags, error))
        if name != "card_info" and content is not None:
            self.certificates.append(summarise_certificate(name, content))

    def _probe_counter(self, name: str, reference: int) -> None:
        # CLA INS P1 P2 and nothing else: the card reports the counter and spends nothing.
        response, error = _attempt(
            lambda: self.transport.send(CommandApdu(0x00, Ins.VERIFY, 0x00, reference))
        )
        sw = None if response is None else response.sw
        tries = None if sw is None else tries_left_from_sw(sw)
        self.counters.append(ProbedCounter(name, reference, sw, tries, error))


def parse_ef_dir(content: bytes) -> tuple[list[tuple[bytes, str]], str | None]:
    """The application templates 61 { 4F AID, 50 label } of EF.DIR, deduplicated, and a note
    when the content stops making sense (what was read before it is kept)."""
    found: dict[bytes, str] = {}
    pos = 0
    try:
        while pos < len(content):
            if content[pos] in (0x00, 0xFF):  # padding between records
                pos += 1
                continue
            template, pos = read_tlv(content, pos)
            if template.tag != TAG_APPLICATION_TEMPLATE:
                continue
            aid, label = b"", ""
            for item in _tlvs(template.value):
                if item.tag == TAG_AID and not aid:
                    aid = item.value
                elif item.tag == TAG_LABEL and not label:
                    label = item.value.decode("utf-8", errors="replace")
            if aid:
                found.setdefault(aid, label or "EF.DIR application")
    except CardError as error:
        return list(found.items()), f"EF.DIR: {describe(error)}"
    return list(found.items()), None


def _tlvs(data: bytes) -> Iterator[Any]:
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        item, pos = read_tlv(data, pos)
        yield item


def card_info_tags(content: bytes) -> tuple[tuple[str, ...] | None, str | None]:
    """The tags inside CARD_INFO's outer object: which fields are there, not their values
    (they are personal data)."""
    try:
        outer, _ = read_tlv(content)
        return tuple(f"{item.tag:X}" for item in _tlvs(outer.value)), None
    except CardError as error:
        return None, describe(error)


def summarise_certificate(file: str, der: bytes) -> ProbedCertificate:
    """Subject, issuer, validity and CRL addresses; nothing else of the certificate."""
    from cryptography import x509

    from ndnclient.card.status import load_card_certificate

    try:
        certificate = load_card_certificate(der)
        try:
            extension = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
            points = tuple(
                name.value
                for point in extension.value
                for name in point.full_name or ()
                if isinstance(name, x509.UniformResourceIdentifier)
            )
        except x509.ExtensionNotFound:
            points = ()
        return ProbedCertificate(
            file,
            certificate.subject.rfc4514_string(),
            certificate.issuer.rfc4514_string(),
            certificate.not_valid_before_utc.isoformat(),
            certificate.not_valid_after_utc.isoformat(),
            points,
        )
    except (CardError, ValueError) as error:
        return ProbedCertificate(file, error=describe(error))


def probe_card(
    connection: SmartCardConnection,
    profiles: Sequence[GoSignProfile],
    reader: str | None = None,
) -> CardProbe:
    """Look at the card on `connection` without changing it (see the module's docstring).
    Never raises for anything the card answers; a lost card or reader gives the partial
    report with `error` set."""
    guarded = AllowlistConnection(connection)
    prober = _Prober(ApduTransport(guarded), profiles)
    found: dict[str, Any] = {"reader": reader, "protocol": None, "atr": b"", "atr_decoded": None}
    error: str | None = None
    try:
        found["reader"] = reader or connection.reader_name
        found["protocol"] = connection.protocol
        found["atr"] = bytes(connection.atr)
        found["atr_decoded"] = decode_atr(found["atr"])
        with connection.transaction():
            prober.run()
    except CONNECTION_LOST as lost:
        error = describe(lost)
    return CardProbe(
        **found,
        card_type=prober.card_type,
        profile=None if prober.profile is None else prober.profile.name,
        applications=tuple(prober.applications),
        files=tuple(prober.files),
        certificates=tuple(prober.certificates),
        counters=tuple(prober.counters),
        transcript=tuple(guarded.transcript),
        error=error,
    )


# --- Which card -------------------------------------------------------------------------------


def write_probe_report(path: Path, probe: CardProbe) -> None:
    """The probe as the file the helpdesk is sent: its JSON, UTF-8, indented for a person,
    written whole or not at all (NewFileError says why not). The command line's `--report`
    and the window's save both write it here."""
    payload = json.dumps(probe.to_json(), ensure_ascii=False, indent=2) + "\n"
    try:
        atomic_write(path, payload.encode("utf-8"))
    except OSError as error:
        detail = error.strerror or type(error).__name__
        raise NewFileError(f"{path}: {detail}", path=str(path), detail=detail) from None


class ProbeReaderNeededError(CardError):
    """Several readers hold a card and none was named: the probe looks at one card only."""

    message_key = "card_probe.reader_needed"


def probe_inserted_card(
    backend: ReaderBackend, reader: str | None = None, name_filter: str | None = None
) -> CardProbe:
    """Probe the card in the reader whose name contains `reader`, or the only inserted card
    (among the readers NDNCLIENT_READER leaves, `name_filter`), with the profiles in use.
    No card raises what the service says (NoReaderError, NoCardError ...); two cards and no
    reader named, ProbeReaderNeededError."""
    slots = [
        slot for slot in matching_readers(backend.snapshot(), name_filter) if slot.card_present
    ]
    if reader is not None:
        slots = [slot for slot in slots if reader.casefold() in slot.name.casefold()]
    if not slots:
        raise NoCardError("no card to probe", reader=reader or "")
    if len(slots) > 1:
        names = ", ".join(slot.name for slot in slots)
        raise ProbeReaderNeededError(f"cards in {names}", count=len(slots), readers=names)
    connection = backend.connect(slots[0].name)
    try:
        return probe_card(connection, active_profiles(), slots[0].name)
    finally:
        connection.close()
