"""The card profile as data (docs/card-profile.md, section 8): the shipped GoSign profile file,
profile files IT adds (`card.profile_files`), and a card read in the layout of the profile
whose application answers."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ndnclient import cli
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
