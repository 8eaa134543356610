"""The settings file: atomic writes, the last good copy, bad files set aside, the lock."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from ndnclient.settings import store as store_module
from ndnclient.settings.errors import SettingsWriteError
from ndnclient.settings.store import SettingsStore


def saved(store: SettingsStore, **values: object) -> None:
    store.update(lambda current: {**current, **values})


def test_round_trip_and_last_good_copy(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    assert store.load().values == {} and not store.path.exists()
    saved(store, language="en")
    saved(store, verification_method="multitrust")
    assert store.load().values == {"language": "en", "verification_method": "multitrust"}
    last_good = json.loads(store.last_good_path.read_text(encoding="utf-8"))
    assert last_good["settings"] == {"language": "en"}  # the state before the last write
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\xff garbage \x13\x37" * 50, "corrupt"),
        (b"", "corrupt"),
        (b'{"format": "ndnclient-settings", "version": 1, "settings": {"langu', "corrupt"),
        (b"[1, 2, 3]", "corrupt"),
        (b'{"version": 1, "settings": {"language": "fr"}}', "corrupt"),
        (b'{"version": 1, "settings": {"no.such.key": 1}}', "corrupt"),
        (b'{"version": "one", "settings": {}}', "corrupt"),
        (b'{"version": 99, "settings": {"language": "en"}}', "newer"),
    ],
)
def test_a_bad_file_is_set_aside_and_the_last_good_copy_used(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="ja")  # last good copy now says "en"... and the file says "ja"
    store.path.write_bytes(content)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert [n.message_key for n in loaded.notices] == [f"settings.notice.{reason}_restored"]
    aside = list(tmp_path.glob(f"settings.{reason}-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == content  # kept, byte for byte
    assert str(aside[0]) in loaded.notices[0].params["path"]
    assert store.load().values == {"language": "en"} and not store.load().notices


def test_a_bad_file_without_a_good_copy_gives_defaults(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_bytes(b"{{{{")
    loaded = store.load()
    assert loaded.values == {}
    assert loaded.notices[0].message_key == "settings.notice.corrupt_defaults"
    assert next(iter(tmp_path.glob("settings.corrupt-*.json"))).read_bytes() == b"{{{{"


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="en", verification_method="multitrust")
    real_read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == store.path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert loaded.notices[0].message_key == "settings.notice.unreadable_restored"
    assert "Permission denied" in loaded.notices[0].params["detail"]


def test_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.path.mkdir(parents=True)
    loaded = store.load()
    assert loaded.notices[0].message_key == "settings.notice.unreadable_defaults"
    assert next(iter(tmp_path.glob("settings.unreadable-*.json"))).is_dir()  # set aside too


def test_a_full_disk_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    before = store.path.read_bytes()

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write", full)
    with pytest.raises(SettingsWriteError) as caught:
        saved(store, language="ja")
    assert caught.value.message_key == "settings.write_failed_disk_full"
    assert store.path.read_bytes() == before
    assert SettingsStore(tmp_path).load().values == {"language": "en"}


def test_a_write_that_fails_midway_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")

    def fail_fsync(descriptor: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    with pytest.raises(SettingsWriteError):
        saved(store, language="ja")
    monkeypatch.undo()
    assert SettingsStore(tmp_path).load().values == {"language": "en"}
    assert not list(tmp_path.glob("*.tmp"))


def test_temporaries_of_a_killed_writer_are_cleaned(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    (tmp_path / "settings.json.4242.deadbeef.tmp").write_bytes(b'{"half')
    saved(store, language="ja")
    assert not list(tmp_path.glob("*.tmp"))


def test_migrations_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def rename_old_key(values: dict[str, object]) -> dict[str, object]:
        values = dict(values)
        values["language"] = values.pop("lang")
        return values

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(store_module.MIGRATIONS, 1, rename_old_key)
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_text('{"version": 1, "settings": {"lang": "en"}}', encoding="utf-8")
    assert store.load().values == {"language": "en"}
    saved(store, verification_method="multitrust")
    assert json.loads(store.path.read_text(encoding="utf-8"))["version"] == 2


def test_the_default_folder_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path / "x"))
    assert SettingsStore().path == tmp_path / "x" / "settings.json"
    monkeypatch.delenv("NDNCLIENT_CONFIG_DIR")
    assert SettingsStore().directory.name == "ndnclient"
