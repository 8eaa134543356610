"""Meeting a card the client may not know, through the real pcscd and vpcd: `ndnclient card
probe` on a GoSign card, a My Number card and a card of a second layout (it never sends a
write command or a VERIFY with data), and the second layout read for real once IT adds its
profile file by policy, with the virtual card started from that file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ndnclient.card.profile import load_profile_file
from tests.integration.support import (
    READER,
    ROOT,
    SLOTS,
    PluggedCard,
    run_cli,
    wait_for_card,
)

Plug = Callable[..., PluggedCard]
pytestmark = pytest.mark.integration

SECOND_LAYOUT = ROOT / "tests" / "card_profiles" / "second-layout.toml"
# What the probe may send (docs/card-profile.md, section 11): SELECT, READ BINARY, GET RESPONSE,
# GET DATA, and VERIFY only as its bare 4-byte header.
ALLOWED_INS = {0xA4, 0xB0, 0xC0, 0xCA, 0x20}


def assert_only_reads(received: list[bytes]) -> None:
    """Checked on what the card itself received, not on what the client says it sent."""
    assert received, "the card got nothing"
    for apdu in received:
        assert apdu[0] == 0x00, apdu.hex()
        assert apdu[1] in ALLOWED_INS, f"INS {apdu[1]:02X} reached the card: {apdu.hex()}"
        if apdu[1] == 0x20:
            assert len(apdu) == 4, f"a VERIFY with data reached the card: {apdu.hex()}"


def probe_json(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = run_cli("card", "probe", "--json", *args, env=env)
    assert done.code == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def application(document: dict[str, Any], aid: str) -> dict[str, Any]:
    found = [entry for entry in document["applications"] if entry["aid"] == aid]
    assert len(found) == 1, document["applications"]
    entry: dict[str, Any] = found[0]
    return entry


def with_profile_policy(tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "policy.toml"
    policy.write_text(f"[card]\nprofile_files = ['{SECOND_LAYOUT}']\n", encoding="utf-8")
    return {"NDNCLIENT_POLICY_FILE": str(policy)}


def test_probe_of_a_gosign_card(plug_card: Plug, tmp_path: Path) -> None:
    card = plug_card()
    report = tmp_path / "probe.json"
    done = run_cli("card", "probe", "--json", "--report", str(report))
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)

    assert document["reader"] == READER
    assert document["protocol"] in ("T=0", "T=1")
    assert document["atr"] == card.card.atr.hex().upper()
    assert document["card_type"] == "gosign"
    assert document["profile"] == "gosign"
    assert application(document, "F0474F5349474E01")["selected"] is True
    assert application(document, "D392F000260100000001")["selected"] is False
    counters = {entry["name"]: entry["tries_left"] for entry in document["counters"]}
    assert counters == {"pin": 10, "unlock": 10}
    assert card.state.pin_tries_left == 10  # nothing spent
    subjects = [entry["subject"] for entry in document["certificates"]]
    assert any("9392000012345678" in (subject or "") for subject in subjects)
    # The report file is the same JSON, for the helpdesk.
    assert json.loads(report.read_text(encoding="utf-8")) == document
    assert str(report) in done.stderr
    # The transcript is what reached the card, command by command.
    assert len(document["transcript"]) == len(card.received)
    assert_only_reads(card.received)


def test_probe_of_a_my_number_card_names_the_jpki_application(plug_card: Plug) -> None:
    card = plug_card(card_type="mynumber")
    document = probe_json()
    assert document["card_type"] == "mynumber"
    assert document["profile"] is None
    assert application(document, "D392F000260100000001")["selected"] is True
    assert application(document, "F0474F5349474E01")["selected"] is False
    assert_only_reads(card.received)


def test_a_second_layout_is_unknown_then_read_once_its_profile_is_added(
    plug_card: Plug, tmp_path: Path
) -> None:
    card = plug_card(profile=load_profile_file(SECOND_LAYOUT))
    unknown = probe_json()
    assert unknown["card_type"] == "unknown"
    assert unknown["error"] is None
    assert all(not entry["selected"] for entry in unknown["applications"])
    status = run_cli("card", "status", "--json")
    assert status.code == 1
    assert status.json()["card_type"] == "unknown"

    policy = with_profile_policy(tmp_path)
    known = probe_json(env=policy)
    assert known["card_type"] == "gosign"
    assert known["profile"] == "second-layout"
    assert application(known, "D276000124010200")["selected"] is True
    files = {entry["fid"]: entry for entry in known["files"]}
    assert files["2F10"]["tags"] == ["5A", "5F20", "90", "91", "92"]
    assert files["C001"]["size"] > 500
    counters = {entry["reference"]: entry["tries_left"] for entry in known["counters"]}
    assert counters == {"01": 10, "02": 10}
    assert_only_reads(card.received)

    status = run_cli("card", "status", "--json", env=policy)
    assert status.code == 0, status.stderr
    assert status.json()["profile"] == "second-layout"
    assert status.json()["card_number"] == "9392000012345678"


@pytest.fixture
def simulator_with_second_layout(pcscd: None, tmp_path: Path) -> Iterator[None]:
    """The virtual card as a user starts it by hand, laid out as the second profile file."""
    command = [sys.executable, "-m", "ndnclient", "simulator", "--profile", str(SECOND_LAYOUT)]
    command += ["--vpcd", f"127.0.0.1:{SLOTS[0][1]}", "--state", str(tmp_path / "card.json")]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_for_card(present=True, timeout=30)
        yield
    finally:
        process.terminate()
        try:
            _, errors = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, errors = process.communicate()
        wait_for_card(present=False, timeout=15)
    assert "Traceback" not in errors, errors


def test_the_simulator_started_with_a_profile_file_is_read_by_policy(
    simulator_with_second_layout: None, tmp_path: Path
) -> None:
    status = run_cli("card", "status", "--json", env=with_profile_policy(tmp_path))
    assert status.code == 0, status.stderr
    document = status.json()
    assert document["card_type"] == "gosign"
    assert document["profile"] == "second-layout"
    assert document["pin_tries_left"] == 10
