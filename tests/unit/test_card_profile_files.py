"""The card profile as data (docs/card-profile.md, section 8): the shipped GoSign profile file,
profile files IT adds (`card.profile_files`), and a card read in the layout of the profile
whose application answers."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ndnclient import cli
from ndnclient.card.errors import PinFormatError
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.profile import (
    GOSIGN_PROFILE,
    ProfileFileError,
    active_profiles,
    load_profile_file,
    load_profiles,
    profile_from_toml,
    use_profile_files,
    use_profiles,
)
from ndnclient.card.session import CardType, GoSignSession
from ndnclient.card.status import read_card_status
from ndnclient.pki.card_key import CardPrivateKey
from ndnclient.simulator.inprocess import VirtualReaderBackend
from tests.console import ScriptedConsole

SECOND_LAYOUT = Path(__file__).resolve().parents[1] / "card_profiles" / "second-layout.toml"


def second_layout() -> dict[str, Any]:
    return tomllib.loads(SECOND_LAYOUT.read_text(encoding="utf-8"))


# --- the shipped profile -----------------------------------------------------------------------


def test_the_shipped_profile_is_the_documented_gosign_layout() -> None:
    # docs/card-profile.md, sections 2 to 4: the values the client has always spoken.
    p = GOSIGN_PROFILE
    assert p.name == "gosign"
    assert p.source.endswith("gosign.toml")
    assert p.aid == bytes.fromhex("F0474F5349474E01")
    assert p.mynumber_aids == (bytes.fromhex("D392F000260100000001"),)
    assert (p.fid_card_info, p.fid_user_cert, p.fid_ca_cert) == (0x0101, 0x0102, 0x0103)
    tags = (p.tag_card_number, p.tag_holder, p.tag_valid_from, p.tag_valid_to)
    assert (p.tag_card_info, *tags, p.tag_profile_version) == (0x70, 0x80, 0x81, 0x82, 0x83, 0x84)
    assert (p.pin_reference, p.unlock_reference) == (0x81, 0x82)
    assert (p.pin_max_tries, p.unlock_max_tries) == (10, 10)
    assert (p.pin_min_length, p.pin_max_length, p.unlock_code_length) == (4, 16, 8)
    assert (p.sign_p1, p.sign_p2, p.signature_length) == (0x9E, 0x9A, 256)
    assert p.card_number_digits == 16


def test_the_second_layout_differs_in_every_identifier() -> None:
    second = load_profile_file(SECOND_LAYOUT)
    g = GOSIGN_PROFILE
    assert second.name == "second-layout"
    assert second.aid != g.aid
    assert {second.fid_card_info, second.fid_user_cert, second.fid_ca_cert}.isdisjoint(
        {g.fid_card_info, g.fid_user_cert, g.fid_ca_cert}
    )
    assert second.tag_card_info != g.tag_card_info
    assert second.tag_holder == 0x5F20  # a two-byte tag
    assert (second.pin_reference, second.unlock_reference) == (0x01, 0x02)
    assert (g.key_reference, second.key_reference) == (None, 0x03)
    # A file that names no My Number applications gets the JPKI one.
    assert second.mynumber_aids == g.mynumber_aids


# --- a file that cannot be used ----------------------------------------------------------------


def edited(path: str, value: object) -> dict[str, Any]:
    """The second layout with the key at dotted `path` set to `value` (None: removed)."""
    data = second_layout()
    *tables, key = path.split(".")
    target = data
    for table in tables:
        target = target[table]
    if value is None:
        del target[key]
    else:
        target[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("name", "Second Layout", "name"),
        ("application.aid", "F0 47 4G", "application.aid"),
        ("application.aid", "F0 47", "application.aid"),
        ("application.aid", None, "application.aid: missing"),
        ("files.card_info", "3F00", "files.card_info"),
        ("files.card_info", "C001", "files"),  # the same ID as the user certificate
        ("files.ca_certificate", "0102 03", "files.ca_certificate"),
        ("card_info.holder", "5A", "card_info"),  # the same tag as the card number
        ("card_info.holder", "5F", "card_info.holder"),  # 5F opens a two-byte tag
        ("card_info.card_number_digits", 0, "card_info.card_number_digits"),
        ("pin.max_tries", 16, "pin.max_tries"),  # 63Cx counts up to 15
        ("pin.max_length", 3, "pin.max_length"),  # below min_length
        ("unlock.reference", "01", "unlock.reference"),  # the PIN's reference
        ("signature.format", "ecdsa", "signature.format"),
        ("signature.length", True, "signature.length"),
        ("files.typo", "2F11", "files.typo: not a profile setting"),
        ("version", "2", "version"),
    ],
)
def test_a_bad_value_is_named(path: str, value: object, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        profile_from_toml(edited(path, value))


def test_a_file_that_cannot_be_read_says_which_and_why(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ProfileFileError) as raised:
        load_profile_file(missing)
    assert raised.value.params["path"] == str(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x\n', encoding="utf-8")
    with pytest.raises(ProfileFileError) as raised:
        load_profile_file(broken)
    assert raised.value.params["path"] == str(broken)
    assert raised.value.params["reason"]


def test_a_file_saved_by_notepad_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SECOND_LAYOUT.read_bytes())
    assert load_profile_file(path).name == "second-layout"


def test_load_profiles_keeps_the_order_and_leaves_out_what_cannot_be_used(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("not toml at all [", encoding="utf-8")
    shadowing = tmp_path / "gosign-again.toml"
    shadowing.write_text(
        SECOND_LAYOUT.read_text(encoding="utf-8").replace(
            'name = "second-layout"', 'name = "gosign"'
        ),
        encoding="utf-8",
    )
    loaded = load_profiles([str(broken), str(SECOND_LAYOUT), str(shadowing)])
    assert [p.name for p in loaded.profiles] == ["gosign", "second-layout"]
    assert [error.params["path"] for error in loaded.problems] == [str(broken), str(shadowing)]
    assert "already in use" in loaded.problems[1].params["reason"]


# --- reading a card in the profile that answers ------------------------------------------------


@pytest.fixture
def second_card(virtual_reader: Callable[..., VirtualReaderBackend]) -> VirtualReaderBackend:
    return virtual_reader(profile=load_profile_file(SECOND_LAYOUT))


def test_a_card_of_another_layout_is_not_gosign_until_its_profile_is_added(
    second_card: VirtualReaderBackend,
) -> None:
    before = read_card_status(second_card)
    assert before.card_type is CardType.UNKNOWN
    assert before.profile is None

    assert use_profile_files([str(SECOND_LAYOUT)]) == ()
    after = read_card_status(second_card)
    assert after.usable, after.problem
    assert after.card_type is CardType.GOSIGN
    assert after.profile == "second-layout"
    assert after.info is not None
    assert after.info.card_number.isdigit()
    assert after.pin is not None
    assert after.pin.tries_left == 10
    assert after.certificate is not None
    assert after.to_json()["profile"] == "second-layout"


def test_a_gosign_card_still_matches_the_shipped_profile_first(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    use_profile_files([str(SECOND_LAYOUT)])
    status = read_card_status(virtual_reader())
    assert status.usable
    assert status.profile == "gosign"


def test_a_my_number_card_is_named_whichever_profiles_are_in_use(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> None:
    use_profile_files([str(SECOND_LAYOUT)])
    backend = virtual_reader(card_type="mynumber")
    connection = backend.connect(backend.list_readers()[0])
    try:
        session = GoSignSession(connection)
        assert session.identify() is CardType.MYNUMBER
    finally:
        connection.close()


def test_the_command_line_uses_the_policy_files_and_names_the_profile(
    second_card: VirtualReaderBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    second_card.close = lambda: None  # type: ignore[method-assign]
    policy = tmp_path / "policy.toml"
    broken = tmp_path / "broken.toml"
    broken.write_text("[", encoding="utf-8")
    # Windows paths in single quotes, as the policy guide says; these are plain paths here.
    policy.write_text(
        f"[card]\nprofile_files = ['{broken}', '{SECOND_LAYOUT}']\n", encoding="utf-8"
    )
    monkeypatch.setenv("NDNCLIENT_POLICY_FILE", str(policy))

    code = cli.main(
        ["card", "status", "--json"], backend_factory=lambda: second_card, console=ScriptedConsole()
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert '"profile": "second-layout"' in out
    assert str(broken) in err  # the file left out is told, in one sentence
    assert [p.name for p in active_profiles()] == ["gosign", "second-layout"]


def test_use_profiles_needs_one() -> None:
    with pytest.raises(ValueError, match="at least one"):
        use_profiles(())


def test_a_layout_that_names_its_signing_key_signs_after_choosing_it(
    second_card: VirtualReaderBackend,
) -> None:
    received: list[str] = []
    original = second_card._transmit

    def record(insertion: int, apdu: bytes | bytearray) -> bytes:
        received.append(bytes(apdu).hex().upper())
        return original(insertion, apdu)

    second_card._transmit = record  # type: ignore[method-assign]
    use_profile_files([str(SECOND_LAYOUT)])
    connection = second_card.connect(second_card.list_readers()[0])
    try:
        session = GoSignSession(connection)
        assert session.identify() is CardType.GOSIGN
        certificate = x509.load_der_x509_certificate(session.read_user_certificate())
        key = CardPrivateKey(PinGuard(session), certificate, SecretBuffer(b"1234"))
        signature = key.sign(b"a tender", padding.PKCS1v15(), hashes.SHA256())
    finally:
        connection.close()
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature, b"a tender", padding.PKCS1v15(), hashes.SHA256())
    # MANAGE SECURITY ENVIRONMENT SET (key 03) right before the signature, and the PIN went to
    # the layout's own reference (01).
    chosen = received.index("002241B603840103")
    assert received[chosen + 1].startswith("002A9E9A")
    assert any(apdu.startswith("00200001") for apdu in received[:chosen])


def test_the_virtual_card_of_such_a_layout_refuses_to_sign_with_no_key_chosen(
    second_card: VirtualReaderBackend,
) -> None:
    connection = second_card.connect(second_card.list_readers()[0])
    try:
        session = GoSignSession(connection, load_profile_file(SECOND_LAYOUT))
        assert session.identify() is CardType.GOSIGN
        session.verify_pin(b"1234")
        digest = bytes.fromhex("3031300d060960864801650304020105000420") + bytes(32)
        answer = connection.transmit(
            bytes.fromhex("002A9E9A") + bytes([len(digest)]) + digest + b"\x00"
        )
    finally:
        connection.close()
    assert answer[-2:] == b"\x69\x85"  # conditions of use not satisfied


# --- review: what a profile file must never do ----------------------------------------------------


def written(tmp_path: Path, data: dict[str, Any], name: str = "layout.toml") -> Path:
    """`data` as a profile file (a small TOML writer: tables of strings, numbers, lists)."""

    def value(item: object) -> str:
        if isinstance(item, str):
            return '"' + item + '"'
        if isinstance(item, list):
            return "[" + ", ".join(value(v) for v in item) + "]"
        return str(item).lower() if isinstance(item, bool) else str(item)

    lines = [f"{key} = {value(item)}" for key, item in data.items() if not isinstance(item, dict)]
    for table, items in data.items():
        if isinstance(items, dict):
            lines.append(f"[{table}]")
            lines += [f"{key} = {value(item)}" for key, item in items.items()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "aid", ["D3 92 F0 00 26 01 00 00 00 01", "D3 92 F0 00 26", "D3 92 10 00 31 00 01 01 04 08 01"]
)
def test_a_layout_cannot_take_a_my_number_application(aid: str) -> None:
    # A My Number card taken for a GoSign card would be sent a GoSign PIN (JPKI: 3 or 5 tries).
    with pytest.raises(ValueError, match="My Number"):
        profile_from_toml(edited("application.aid", aid))


def test_a_second_file_with_an_aid_already_in_use_is_left_out(tmp_path: Path) -> None:
    twin = written(tmp_path, edited("name", "twin"))
    loaded = load_profiles([str(SECOND_LAYOUT), str(twin)])
    assert [p.name for p in loaded.profiles] == ["gosign", "second-layout"]
    assert "already another profile's" in loaded.problems[0].params["reason"]


@pytest.mark.parametrize(
    "content",
    [
        "x = " + "[" * 5000 + "]" * 5000 + "\n",  # tomllib recurses: RecursionError
        "name = 1\n[application]\naid = []\n",
        "[[files]]\ncard_info = '2F10'\n",
        "\xff\xfe not utf-8",
    ],
    ids=["nested", "wrong types", "array of tables", "not utf-8"],
)
def test_no_file_content_stops_the_program(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe" if content.startswith("\xff") else content.encode("utf-8"))
    loaded = load_profiles([str(path)])
    assert [p.name for p in loaded.profiles] == ["gosign"]
    assert loaded.problems[0].params["path"] == str(path)


def test_a_folder_or_a_huge_file_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (65 * 1024))
    loaded = load_profiles([str(tmp_path), str(huge)])
    assert [error.params["reason"] for error in loaded.problems] == [
        "not a file",
        "larger than 64 KB",
    ]


def test_the_pin_rule_is_the_matched_profiles_before_anything_is_sent(
    virtual_reader: Callable[..., VirtualReaderBackend], tmp_path: Path
) -> None:
    # A layout whose PINs are 6 to 16 characters: "1234" must be refused for its card, even
    # though the shipped profile (tried first) would take it.
    strict = load_profile_file(written(tmp_path, edited("pin.min_length", 6)))
    backend = virtual_reader(profile=strict)
    received: list[bytes] = []
    original = backend._transmit

    def record(insertion: int, apdu: bytes | bytearray) -> bytes:
        received.append(bytes(apdu))
        return original(insertion, apdu)

    backend._transmit = record  # type: ignore[method-assign]
    use_profiles((GOSIGN_PROFILE, strict))
    connection = backend.connect(backend.list_readers()[0])
    try:
        session = GoSignSession(connection)
        assert not session.profile_known
        with pytest.raises(PinFormatError):
            PinGuard(session).verify(SecretBuffer(b"1234"))
        assert session.profile.name == "second-layout"
        assert session.pin_counter().tries_left == 10  # no try spent
    finally:
        connection.close()
    assert not [apdu for apdu in received if apdu[1] == 0x20 and len(apdu) > 4]
