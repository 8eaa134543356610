"""Which keyring keeps the passwords, as `settings show` and the diagnostics file tell IT."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from ndnclient import cli
from ndnclient.diagnostics.environment import diagnostics_document
from ndnclient.settings.secrets import keyring_backend
from tests.keyrings_for_tests import MemoryKeyring, failing_keyring


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(failing_keyring())
    yield
    keyring.set_keyring(previous)


def test_a_usable_keyring_is_named(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert keyring_backend() == ("tests.keyrings_for_tests.MemoryKeyring", True)
    assert cli.main(["settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["keyring"] == {"backend": "tests.keyrings_for_tests.MemoryKeyring", "usable": True}
    assert cli.main(["settings", "show"]) == 0
    assert "パスワードの保存先（キーリング）: tests.keyrings_for_tests.MemoryKeyring" in (
        capsys.readouterr().out
    )


def test_no_keyring_is_said_plainly(no_keyring: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert keyring_backend() == ("keyring.backends.fail.Keyring", False)
    assert cli.main(["settings", "show", "--lang", "en"]) == 0
    assert "No usable keyring (keyring.backends.fail.Keyring)" in capsys.readouterr().out


def test_a_keyring_that_breaks_on_the_question_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise OSError("D-Bus went away")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    assert keyring_backend() == ("(OSError)", False)


def test_the_diagnostics_file_names_the_keyring(memory_keyring: MemoryKeyring) -> None:
    document = diagnostics_document(paths={}, settings={}, card=None, log_file=Path("/nonexistent"))
    assert document["keyring"] == {
        "backend": "tests.keyrings_for_tests.MemoryKeyring",
        "usable": True,
    }
