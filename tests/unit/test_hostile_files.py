"""Hostile settings, policy and virtual-card state files (issue 12, classes 2, 3 and 7): one
sentence, a working program, the bad file kept. Each case failed before the boundary in
ndnclient/settings/documents.py (and the state file's checks) was there."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ndnclient import cli
from ndnclient.fileio import NotARegularFileError, atomic_write, read_at_most
from ndnclient.settings.documents import DocumentError, parse_json, parse_toml, value_problem
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.keys import KEYS, KeySpec, normalize
from ndnclient.settings.policy import load_policy
from ndnclient.settings.service import SettingsService
from ndnclient.settings.store import SettingsStore, parse_settings_document
from ndnclient.simulator.state import (
    MAX_KDF_ITERATIONS,
    StateFileError,
    create_state,
    load_state,
    save_state,
)
from ndnclient.ui.demo import DemoCard

Capture = pytest.CaptureFixture[str]

DEEP_LIST = "[" * 3000 + "]" * 3000
HUGE_NUMBER = "9" * 5000


def run(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write_policy(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    policy = isolated_settings.parent / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    monkeypatch.setenv("NDNCLIENT_POLICY_FILE", str(policy))
    return policy


# --- the policy -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_text", "sentence"),
    [
        ("[policy]\nlocked = [{a = 1}]\n", "「policy.locked」の値が正しくない"),
        ('[policy]\nlocked = [["language"], 3]\n', "「policy.locked」の値が正しくない"),
        ("[policy]\ncontact = [1, 2]\n", "「policy.contact」の値が正しくない"),
        (f"[policy]\nlocked = [{DEEP_LIST}]\n", "を読めないため、使っていません（not TOML: nested"),
        (f"a = {HUGE_NUMBER}\n", "を読めないため、使っていません（not TOML: a number with"),
        (f"ldap.connect_timeout = {'9' * 4000}\n", "「ldap.connect_timeout」の値が正しくない"),
        ("a = " + "{b = " * 400 + "1" + "}" * 400 + "\n", "nested too deeply"),
        ("[" + ".".join(["t"] * 300) + "]\nx = 1\n", "「t.t.t」は知らない項目"),
    ],
    ids=[
        "table-in-locked",
        "list-in-locked",
        "list-contact",
        "deep",
        "digits",
        "big",
        "inline-tables",
        "table-headers",
    ],
)
@pytest.mark.parametrize("command", [["settings", "show"], ["explain", "G04"]])
def test_a_hostile_policy_is_one_sentence_and_every_command_works(
    capsys: Capture,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    policy_text: str,
    sentence: str,
    command: list[str],
) -> None:
    policy = write_policy(isolated_settings, monkeypatch, policy_text)
    code, out, err = run(capsys, *command)
    assert code == 0
    assert "Traceback" not in err
    assert "予期しない" not in err
    assert sentence in err
    assert out  # the command did its work
    assert policy.read_text(encoding="utf-8") == policy_text  # IT's file is never touched


def test_a_policy_that_is_a_device_or_huge_is_not_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "policy.toml"
    big.write_bytes(b"# " + b"x" * (3 * 1024 * 1024))
    policy = load_policy(big)
    assert [n.message_key for n in policy.notices] == ["settings.notice.policy_unreadable"]
    zero = load_policy(Path("/dev/zero"))  # would fill the memory if read to its end
    assert [n.message_key for n in zero.notices] == ["settings.notice.policy_unreadable"]


# --- the user's settings file ---------------------------------------------------------------


def settings_file(values: str) -> bytes:
    return ('{"format": "ndnclient-settings", "version": 1, "settings": {' + values + "}}").encode()


def test_a_lone_surrogate_in_an_unknown_key_no_longer_blocks_every_save(
    capsys: Capture, isolated_settings: Path
) -> None:
    isolated_settings.mkdir(parents=True)
    (isolated_settings / "settings.json").write_bytes(
        settings_file('"from.newer.version": "a\\ud800b", "language": "ja"')
    )
    code, _, err = run(capsys, "settings", "set", "language", "en")
    assert code == 0, err
    saved = json.loads((isolated_settings / "settings.json").read_text(encoding="utf-8"))
    assert saved["settings"]["language"] == "en"
    # The unknown key is kept for the version that wrote it, its broken character replaced.
    assert saved["settings"]["from.newer.version"] == "a\ufffdb"


def test_a_card_label_with_a_lone_surrogate_keeps_the_card(
    capsys: Capture, isolated_settings: Path
) -> None:
    isolated_settings.mkdir(parents=True)
    card = (
        '{"card_number": "9200000099990001", "valid_from": "2025-01-01", '
        '"valid_to": "2027-01-01", "label": "窓口\\udc80用"}'
    )
    (isolated_settings / "settings.json").write_bytes(settings_file(f'"cards": [{card}]'))
    code, out, err = run(capsys, "settings", "show", "--json")
    assert code == 0, err
    cards = json.loads(out)["settings"]["cards"]
    assert [c["card_number"] for c in cards] == ["9200000099990001"]
    assert run(capsys, "settings", "set", "language", "en")[0] == 0


@pytest.mark.parametrize(
    "hostile",
    [DEEP_LIST, HUGE_NUMBER, '{"a":' * 3000 + "1" + "}" * 3000],
    ids=["deep-list", "digits", "deep-object"],
)
def test_a_hostile_value_in_the_settings_file_is_dropped_and_the_file_kept(
    capsys: Capture, isolated_settings: Path, hostile: str
) -> None:
    isolated_settings.mkdir(parents=True)
    original = settings_file(f'"language": "en", "urls.allowed": {hostile}')
    (isolated_settings / "settings.json").write_bytes(original)
    code, _out, err = run(capsys, "settings", "show", "--json")
    assert code == 0
    assert "Traceback" not in err
    assert "予期しない" not in err
    assert err.count("\n") == 1  # one sentence
    kept = [*isolated_settings.glob("settings.corrupt-*"), *isolated_settings.glob("settings.in*")]
    assert [path.read_bytes() for path in kept] == [original]
    assert run(capsys, "settings", "set", "language", "ja")[0] == 0


def test_values_nested_past_any_setting_are_refused_by_every_rule() -> None:
    nested: object = "x"
    for _ in range(20):
        nested = [nested]
    assert value_problem(nested) == "too_deep"
    assert value_problem(2**70) == "number_too_large"
    assert value_problem({"label": "\udcff"}) == "bad_text"
    for key, value in (
        ("cards", nested),
        ("ldap.connect_timeout", 10**400),
        ("language", "\ud800"),
    ):
        with pytest.raises(InvalidValueError):
            normalize(key, value)


def test_a_rule_that_meets_an_unexpected_shape_says_malformed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rule written for strings, given a number: its TypeError becomes the project's error.
    def upper_only(value: str) -> str:
        return value.upper()

    monkeypatch.setitem(KEYS, "language", KeySpec("language", "ja", upper_only))
    with pytest.raises(InvalidValueError) as caught:
        normalize("language", 3)
    assert caught.value.message_key == "settings.invalid.malformed"


def test_the_parsers_turn_every_failure_into_one_error() -> None:
    for raw in (DEEP_LIST.encode(), HUGE_NUMBER.encode(), b"\xff", b"x" * (2 * 1024 * 1024)):
        with pytest.raises(DocumentError):
            parse_json(raw)
    for raw in (f"a = {DEEP_LIST}".encode(), f"a = {HUGE_NUMBER}".encode(), b"a = \xff"):
        with pytest.raises(DocumentError):
            parse_toml(raw)


def test_a_store_parses_what_it_writes_after_a_repair(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    tmp_path.joinpath("settings.json").write_bytes(settings_file('"x\\ud800": 1'))
    store.set_values(lambda values: {**values, "language": "en"})
    parsed = parse_settings_document(tmp_path.joinpath("settings.json").read_bytes())
    assert parsed.values == {"x\ufffd": 1, "language": "en"}


# --- the virtual card's state file ----------------------------------------------------------


@pytest.fixture(scope="module")
def state_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = tmp_path_factory.mktemp("state") / "card.json"
    save_state(create_state(kdf_iterations=1), path)
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user_key_pem", "-----BEGIN PRIVATE KEY-----\nあ\n"),  # UnicodeEncodeError before
        ("holder", "\ud800"),  # loaded, then every save failed
        ("holder", "x" * 10_000),
        ("pin", {"kdf": "pbkdf2-hmac-sha256", "iterations": 10**12, "salt": "", "hash": ""}),
        ("pin_tries_left", int("9" * 100)),
    ],
    ids=["key-not-ascii", "surrogate-holder", "long-holder", "endless-kdf", "huge-count"],
)
def test_a_damaged_state_file_is_a_state_file_error(
    tmp_path: Path, state_document: dict[str, object], field: str, value: object
) -> None:
    path = tmp_path / "card.json"
    path.write_text(json.dumps({**state_document, field: value}), encoding="utf-8")
    with pytest.raises(StateFileError):
        load_state(path)


def test_a_huge_number_in_the_state_file_is_a_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text('{"schema_version": ' + HUGE_NUMBER + "}", encoding="utf-8")
    with pytest.raises(StateFileError):
        load_state(path)


def test_iterations_past_the_limit_are_refused(
    tmp_path: Path, state_document: dict[str, object]
) -> None:
    pin = dict(state_document["pin"])  # type: ignore[call-overload]
    path = tmp_path / "card.json"
    path.write_text(
        json.dumps({**state_document, "pin": {**pin, "iterations": MAX_KDF_ITERATIONS + 1}}),
        encoding="utf-8",
    )
    with pytest.raises(StateFileError, match="iterations"):
        load_state(path)


def test_the_demo_keeps_a_damaged_card_and_says_so(
    tmp_path: Path, state_document: dict[str, object]
) -> None:
    damaged = json.dumps({**state_document, "user_key_pem": "あ"}).encode()
    (tmp_path / "card.json").write_bytes(damaged)
    demo = DemoCard(tmp_path)
    assert [n.message_key for n in demo.notices] == ["demo.state_replaced"]
    kept = list(tmp_path.glob("card.damaged-*.json"))
    assert [path.read_bytes() for path in kept] == [damaged]
    assert str(kept[0]) == demo.notices[0].params["path"]
    assert load_state(tmp_path / "card.json").card_number  # a new, working card


# --- output paths that are not regular files ------------------------------------------------


def test_only_a_regular_file_is_written_or_read(tmp_path: Path) -> None:
    # `--report /dev/null` run as root replaced /dev/null with a regular file for everyone;
    # written into instead, a pipe with no reader would wait for ever, a disk be overwritten.
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(NotARegularFileError):
        atomic_write(pipe, b"report")
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    with pytest.raises(NotARegularFileError):
        read_at_most(pipe, 100)  # opened without waiting for a writer that never comes
    with pytest.raises(NotARegularFileError):
        read_at_most(Path("/dev/zero"), 100)
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path, b"report")
    assert [path.name for path in tmp_path.iterdir()] == ["pipe"]  # no temporary left


def test_importing_an_endless_file_is_one_sentence(
    capsys: Capture, isolated_settings: Path
) -> None:
    code, _, err = run(capsys, "settings", "import", "/dev/zero")
    assert code == 1
    assert "設定は何も変更していません" in err
    assert "予期しない" not in err


def test_signing_an_endless_message_is_one_sentence(
    capsys: Capture, isolated_settings: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "smime", "sign", "--in", "/dev/zero", "--out", str(tmp_path / "x"))
    assert code == 1
    assert "not a regular file" in err
    assert not (tmp_path / "x").exists()


def test_the_service_checks_a_value_from_any_caller(isolated_settings: Path) -> None:
    # The window and scripts call the service directly, not through the command line.
    service = SettingsService()
    for key, value in (("ldap.connect_timeout", 10**400), ("cards", [[[[[[[[[[[]]]]]]]]]]])):
        with pytest.raises(InvalidValueError):
            service.set(key, value)


# --- values that pass one rule and break the next step (found in review) --------------------


def test_card_dates_at_the_calendars_end_are_not_a_card(capsys: Capture) -> None:
    # 9999-12-31 was accepted, then "the day after" overflowed in unregister and G06.
    for valid_to in ("9999-12-31", "0001-01-01"):
        card = {"card_number": "9200000099990001", "valid_from": "0001-01-01"}
        with pytest.raises(InvalidValueError):
            normalize("cards", [{**card, "valid_to": valid_to}])
    code, _, err = run(
        capsys, "settings", "set", "cards", json.dumps([{**card, "valid_to": "9999-12-31"}])
    )
    assert code != 0
    assert "登録カードの内容が正しくありません" in err


def test_a_trust_anchor_name_the_system_refuses_is_told_not_raised(tmp_path: Path) -> None:
    from ndnclient.pki.trust import load_anchors

    with_nul = f"{tmp_path}/a\0b.pem"
    with pytest.raises(InvalidValueError):
        normalize("trust.anchor_files", [with_nul])
    anchors = load_anchors(["~no-such-user-here/a.pem", with_nul])
    assert len(anchors.unreadable_files) == 2


def test_an_output_path_through_a_loop_of_links_is_one_sentence(
    capsys: Capture, isolated_settings: Path, tmp_path: Path
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    code, _, err = run(capsys, "settings", "export", str(loop / "x.json"))
    assert code == 2
    assert "書き出せません" in err
    assert "予期しない" not in err


def test_the_demo_never_writes_over_a_damaged_card_it_could_not_keep(
    tmp_path: Path, state_document: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    damaged = json.dumps({**state_document, "user_key_pem": "あ"}).encode()
    (tmp_path / "card.json").write_bytes(damaged)
    monkeypatch.setattr(os, "replace", refuse)
    demo = DemoCard(tmp_path)
    assert [n.message_key for n in demo.notices] == ["demo.state_not_kept"]
    assert (tmp_path / "card.json").read_bytes() == damaged  # left exactly as it was
    assert demo.state.card_number  # the demo runs on a card in memory
