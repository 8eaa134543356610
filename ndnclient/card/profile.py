"""The card profile (docs/card-profile.md) as one data object, read from a file.

Every value the client needs to talk to a GoSign card lives in a profile file: the shipped
one is resources/card_profiles/gosign.toml, and IT may add others by policy
(`card.profile_files`) for a card laid out differently. The client tries the profiles in
order (the shipped one first); the first whose application answers is the card's. A second
layout is then a matter of data, not code. The virtual card reads the same objects.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ndnclient.errors import UserFacingError
from ndnclient.resources import resource_path

# The My Number card's applications: JPKI (公的個人認証; what a profile file that names none
# gets) and 券面事項入力補助AP. No card layout may use them (or a prefix): a My Number card
# taken for a GoSign card would be sent a GoSign PIN.
JPKI_AID = bytes.fromhex("D392F000260100000001")
KENMEN_HOJO_AID = bytes.fromhex("D3921000310001010408")
KNOWN_MYNUMBER_AIDS = (JPKI_AID, KENMEN_HOJO_AID)
# A profile file is a few hundred bytes; anything far larger is not one.
PROFILE_FILE_LIMIT = 64 * 1024


@dataclass(frozen=True, kw_only=True)
class GoSignProfile:
    """Identifiers, file layout, tags and PIN rules of a card the client speaks to. Every value
    comes from a profile file (`load_profile_file`): no layout is written in the code."""

    # Which profile matched, as `card status --json` names it ("gosign": the shipped one).
    name: str
    # The CARD_INFO profile version this layout writes (tag_profile_version).
    version: int

    # Identification: the card is identified by selecting its application, never by its ATR.
    aid: bytes
    # The My Number card's applications this profile names (JPKI first): such a card is told
    # apart from an unknown one.
    mynumber_aids: tuple[bytes, ...]
    select_by_aid_p1: int = 0x04
    select_by_fid_p1: int = 0x02
    select_no_response_p2: int = 0x0C

    # Elementary files under the application.
    fid_card_info: int
    fid_user_cert: int
    fid_ca_cert: int

    # CARD_INFO: one constructed TLV { number, holder, from, to, version }.
    tag_card_info: int
    tag_card_number: int
    tag_holder: int
    tag_valid_from: int
    tag_valid_to: int
    tag_profile_version: int
    card_number_digits: int

    # A DER file's header: these many bytes give its total length.
    der_header_length: int = 4

    # PIN and unlock code: references, tries, lengths.
    pin_reference: int
    unlock_reference: int
    pin_max_tries: int
    unlock_max_tries: int
    pin_min_length: int
    pin_max_length: int
    unlock_code_length: int
    # What the client accepts before sending (ISO/IEC 7816-4 leaves the format to the card).
    pin_alphabet: bytes = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    unlock_code_alphabet: bytes = b"0123456789"

    # The signature: PERFORM SECURITY OPERATION with these P1 P2, in this format. With a key
    # reference, MANAGE SECURITY ENVIRONMENT SET (00 22 41 B6, 84 01 ref) names the key
    # first; without one (GoSign) the card signs with its one key.
    sign_p1: int
    sign_p2: int
    signature_length: int
    signature_format: str
    key_reference: int | None = None

    # Where the profile came from (a file's path) and its title, for reports.
    source: str = field(default="", compare=False)
    title: str = field(default="", compare=False)

    @property
    def jpki_aid(self) -> bytes:
        """The My Number card's JPKI application (the first of `mynumber_aids`)."""
        return self.mynumber_aids[0]

    # The checks below look at the secret byte by byte: no immutable copy of it is made.
    def is_valid_pin(self, pin: bytes | bytearray) -> bool:
        """True when `pin` has the profile's length and alphabet (checked before sending)."""
        return self.pin_min_length <= len(pin) <= self.pin_max_length and all(
            byte in self.pin_alphabet for byte in pin
        )

    def is_valid_unlock_code(self, code: bytes | bytearray) -> bool:
        """True when `code` looks like the helpdesk's unlock code (8 digits)."""
        return len(code) == self.unlock_code_length and all(
            byte in self.unlock_code_alphabet for byte in code
        )


# --- Profile files ----------------------------------------------------------------------------

SHIPPED_PROFILE_FILE = ("card_profiles", "gosign.toml")
# The signature formats the client knows how to ask for: the card gets a DigestInfo and pads
# it itself (RSA PKCS#1 v1.5). Another format is a new feature, not a new file.
SIGNATURE_FORMATS = ("pkcs1-v1_5-digestinfo",)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class ProfileFileError(UserFacingError):
    """A profile file that cannot be used: unreadable, not TOML, or a value out of its rule.
    The client goes on with the other profiles (the shipped one always works)."""

    message_key = "card_profile.bad_file"


def _hex(value: Any, where: str, *, lengths: range) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{where}: bytes in hexadecimal, as a string")
    try:
        data = bytes.fromhex(value)
    except ValueError:
        raise ValueError(f"{where}: not hexadecimal ({value!r})") from None
    if len(data) not in lengths:
        raise ValueError(
            f"{where}: {len(data)} bytes, {lengths.start} to {lengths.stop - 1} wanted"
        )
    return data


def _byte(value: Any, where: str) -> int:
    return _hex(value, where, lengths=range(1, 2))[0]


def _tag(value: Any, where: str) -> int:
    """A BER tag of one or two bytes (ISO/IEC 7816-4): xx1F in the first byte says a second
    byte follows, and only then."""
    tag = _hex(value, where, lengths=range(1, 3))
    continues = tag[0] & 0x1F == 0x1F
    if tag[0] in (0x00, 0xFF) or continues != (len(tag) == 2):
        raise ValueError(f"{where}: {tag.hex().upper()} is not a whole BER tag")
    if len(tag) == 2 and not 0x1F <= tag[1] <= 0x7F:
        raise ValueError(f"{where}: {tag.hex().upper()} is not a two-byte BER tag")
    return int.from_bytes(tag, "big")


def _fid(value: Any, where: str) -> int:
    fid = int.from_bytes(_hex(value, where, lengths=range(2, 3)), "big")
    if fid in (0x3F00, 0x3FFF, 0xFFFF):  # the MF and reserved IDs name no elementary file
        raise ValueError(f"{where}: {fid:04X} is reserved")
    return fid


def _number(value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{where}: a whole number from {low} to {high}")
    return value


class _Table:
    """One TOML table, read key by key; keys nobody asked for are an error (a typo)."""

    def __init__(self, data: Mapping[str, Any], where: str, optional: bool = False) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: a table")
        self.data, self.where = data, where
        self.asked: set[str] = set()
        self.optional = optional

    def table(self, key: str, *, optional: bool = False) -> _Table:
        self.asked.add(key)
        if key not in self.data and optional:
            return _Table({}, self._name(key), optional=True)
        return _Table(self._get(key), self._name(key))

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        if key not in self.data and (default is not None or self.optional):
            return default
        return self._get(key)

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise ValueError(f"{self._name(key)}: missing")
        return self.data[key]

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.asked)
        if unknown:
            raise ValueError(f"{self._name(unknown[0])}: not a profile setting")


def profile_from_toml(data: Mapping[str, Any], source: str = "") -> GoSignProfile:
    """The profile a parsed profile file describes; ValueError names the first bad key."""
    top = _Table(data, "")
    name = top.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError("name: lower-case letters, digits, - and _ (up to 40)")
    title = top.get("title", "")
    if not isinstance(title, str):
        raise ValueError("title: a string")
    version = _number(top.get("version"), "version", 0, 255)
    application = top.table("application")
    aid = _hex(application.get("aid"), "application.aid", lengths=range(5, 17))
    application.done()

    files = top.table("files")
    fids = (
        _fid(files.get("card_info"), "files.card_info"),
        _fid(files.get("user_certificate"), "files.user_certificate"),
        _fid(files.get("ca_certificate"), "files.ca_certificate"),
    )
    files.done()
    if len(set(fids)) != len(fids):
        raise ValueError("files: each file needs its own ID")

    info = top.table("card_info")
    tags = {
        key: _tag(info.get(key), f"card_info.{key}")
        for key in ("tag", "card_number", "holder", "valid_from", "valid_to", "profile_version")
    }
    digits = _number(info.get("card_number_digits"), "card_info.card_number_digits", 1, 32)
    info.done()
    inner = [value for key, value in tags.items() if key != "tag"]
    if len(set(inner)) != len(inner):
        raise ValueError("card_info: each item needs its own tag")

    pin = top.table("pin")
    pin_reference = _byte(pin.get("reference"), "pin.reference")
    pin_max_tries = _number(pin.get("max_tries"), "pin.max_tries", 1, 15)  # 63Cx: 4 bits
    pin_min = _number(pin.get("min_length"), "pin.min_length", 1, 127)
    pin_max = _number(pin.get("max_length"), "pin.max_length", pin_min, 127)
    pin.done()
    unlock = top.table("unlock")
    unlock_reference = _byte(unlock.get("reference"), "unlock.reference")
    unlock_max_tries = _number(unlock.get("max_tries"), "unlock.max_tries", 1, 15)
    unlock_length = _number(unlock.get("length"), "unlock.length", 1, 127)
    unlock.done()
    if unlock_reference == pin_reference:
        raise ValueError("unlock.reference: the same as pin.reference")

    signature = top.table("signature")
    signature_format = signature.get("format")
    if signature_format not in SIGNATURE_FORMATS:
        raise ValueError(f"signature.format: one of {', '.join(SIGNATURE_FORMATS)}")
    p1p2 = _hex(signature.get("p1p2"), "signature.p1p2", lengths=range(2, 3))
    signature_length = _number(signature.get("length"), "signature.length", 64, 1024)
    key_reference = None  # optional: GoSign signs with its one key
    if "key_reference" in signature.data:
        key_reference = _byte(signature.get("key_reference"), "signature.key_reference")
    signature.done()

    mynumber = top.table("mynumber", optional=True)
    aids = mynumber.get("aids", [JPKI_AID.hex()])
    if not isinstance(aids, list) or not aids:
        raise ValueError("mynumber.aids: a list of AIDs")
    mynumber_aids = tuple(
        _hex(value, f"mynumber.aids[{index}]", lengths=range(5, 17))
        for index, value in enumerate(aids)
    )
    mynumber.done()
    top.done()
    for other in (*KNOWN_MYNUMBER_AIDS, *mynumber_aids):
        if _overlaps(aid, other):
            mine = other.hex().upper()
            raise ValueError(f"application.aid: overlaps a My Number card's AID ({mine})")
    return GoSignProfile(
        version=version,
        name=name,
        aid=aid,
        mynumber_aids=mynumber_aids,
        fid_card_info=fids[0],
        fid_user_cert=fids[1],
        fid_ca_cert=fids[2],
        tag_card_info=tags["tag"],
        tag_card_number=tags["card_number"],
        tag_holder=tags["holder"],
        tag_valid_from=tags["valid_from"],
        tag_valid_to=tags["valid_to"],
        tag_profile_version=tags["profile_version"],
        card_number_digits=digits,
        pin_reference=pin_reference,
        unlock_reference=unlock_reference,
        pin_max_tries=pin_max_tries,
        unlock_max_tries=unlock_max_tries,
        pin_min_length=pin_min,
        pin_max_length=pin_max,
        unlock_code_length=unlock_length,
        sign_p1=p1p2[0],
        sign_p2=p1p2[1],
        signature_length=signature_length,
        signature_format=signature_format,
        key_reference=key_reference,
        source=source,
        title=title,
    )


def _overlaps(one: bytes, other: bytes) -> bool:
    """True when one AID is the other or starts it: a card that selects by a partial name
    would answer both."""
    return one.startswith(other) or other.startswith(one)


def load_profile_file(path: str | Path) -> GoSignProfile:
    """The profile in the file at `path`; ProfileFileError (with the path and the reason)
    when it cannot be read or a value breaks its rule. Never anything else: a bad file must
    not stop the program from starting."""
    shown = str(path)

    def refused(reason: str) -> ProfileFileError:
        return ProfileFileError(f"{shown}: {reason}", path=shown, reason=reason)

    try:
        file = Path(path)
        # Not a pipe or a device (reading one could wait for ever), nor a huge file.
        if not file.is_file():
            raise refused("not a file")
        if file.stat().st_size > PROFILE_FILE_LIMIT:
            raise refused(f"larger than {PROFILE_FILE_LIMIT // 1024} KB")
        data = tomllib.loads(file.read_bytes().decode("utf-8-sig"))
    except ProfileFileError:
        raise
    except OSError as error:
        raise refused(error.strerror or type(error).__name__) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise refused(str(error)) from None
    except (RecursionError, MemoryError, ValueError) as error:  # deeply nested arrays ...
        raise refused(type(error).__name__) from None
    try:
        return profile_from_toml(data, shown)
    except ValueError as error:
        raise refused(str(error)) from None
    except (TypeError, LookupError, AttributeError, RecursionError) as error:
        raise refused(f"malformed ({type(error).__name__})") from None


GOSIGN_PROFILE = load_profile_file(resource_path(*SHIPPED_PROFILE_FILE))


# --- The profiles in use ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileLoad:
    """The profiles a list of files gives (the shipped one first) and the files left out."""

    profiles: tuple[GoSignProfile, ...]
    problems: tuple[ProfileFileError, ...] = ()


def load_profiles(paths: Iterable[str]) -> ProfileLoad:
    """The shipped profile, then those of `paths` in order. A file that cannot be used is
    left out (its error kept to be told); a second profile of a name already in use too."""
    profiles = [GOSIGN_PROFILE]
    problems: list[ProfileFileError] = []
    for path in paths:
        try:
            profile = load_profile_file(path)
        except ProfileFileError as error:
            problems.append(error)
            continue
        reason = None
        if any(profile.name == known.name for known in profiles):
            reason = f"the name {profile.name!r} is already in use"
        elif any(_overlaps(profile.aid, known.aid) for known in profiles):
            reason = "its application AID is already another profile's"
        if reason is not None:
            problems.append(ProfileFileError(f"{path}: {reason}", path=path, reason=reason))
            continue
        profiles.append(profile)
    return ProfileLoad(tuple(profiles), tuple(problems))


_active: tuple[GoSignProfile, ...] = (GOSIGN_PROFILE,)


def active_profiles() -> tuple[GoSignProfile, ...]:
    """The profiles the card layer tries, in order (set once at start from the settings)."""
    return _active


def profile_named(name: str | None) -> GoSignProfile:
    """The profile in use called `name` (a card's `CardStatus.profile`); the shipped one for
    None or a name no longer in use."""
    return next((p for p in _active if p.name == name), GOSIGN_PROFILE)


def use_profile_files(paths: Iterable[str]) -> tuple[ProfileFileError, ...]:
    """The shipped profile and those of `paths` in use from now on; the files left out, to be
    told (the command line and the window call this at start with `card.profile_files`)."""
    loaded = load_profiles(paths)
    use_profiles(loaded.profiles)
    return loaded.problems


def use_profiles(profiles: Iterable[GoSignProfile]) -> None:
    """Make `profiles` the ones tried from now on (the command line and the window call this
    at start with `load_profiles(settings' card.profile_files)`)."""
    global _active
    chosen = tuple(profiles)
    if not chosen:
        raise ValueError("at least one card profile is needed")
    _active = chosen
