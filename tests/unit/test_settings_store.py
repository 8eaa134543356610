"""The settings file: atomic writes, the last good copy, bad files kept, the lock."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import pytest

from ndnclient import fileio
from ndnclient.fileio import atomic_write
from ndnclient.settings import store as store_module
from ndnclient.settings.errors import SettingsReadOnlyError, SettingsWriteError
from ndnclient.settings.store import SettingsStore, parse_settings_document, read_bytes


def saved(store: SettingsStore, **values: object) -> None:
    store.set_values(lambda current: {**current, **values})


def good_copy(store: SettingsStore) -> dict[str, object]:
    """The last good copy as it is on disk (no repair)."""
    return parse_settings_document(read_bytes(store.last_good_path)).values


def test_round_trip_and_last_good_copy(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    assert store.load().values == {}
    assert not store.path.exists()
    saved(store, language="en")
    saved(store, verification_method="multitrust")
    assert store.load().values == {"language": "en", "verification_method": "multitrust"}
    assert good_copy(store) == {"language": "en"}  # the state before the last write
    assert not store.last_good_path.samefile(store.path)
    assert not list(tmp_path.glob("*.tmp"))


def test_update_returns_the_changes_result(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    assert store.update(lambda values: ({**values, "language": "en"}, "done")) == "done"
    assert store.load().values == {"language": "en"}


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff garbage \x13\x37" * 50,
        b"",
        b'{"format": "ndnclient-settings", "version": 1, "settings": {"langu',
        b"[1, 2, 3]",
        b'{"version": "one", "settings": {}}',
        b'{"version": 1, "settings": [1]}',
    ],
)
def test_a_bad_file_is_kept_and_the_last_good_copy_used(tmp_path: Path, content: bytes) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="ja")  # the last good copy now says "en"
    store.path.write_bytes(content)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert [n.message_key for n in loaded.notices] == ["settings.notice.corrupt_restored"]
    kept = list(tmp_path.glob("settings.corrupt-*.json"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content
    assert loaded.notices[0].params["path"] == str(kept[0])
    assert store.load().values == {"language": "en"}
    assert not store.load().notices
    assert store.path.exists()


def test_a_bad_file_without_a_good_copy_gives_defaults(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_bytes(b"{{{{")
    loaded = store.load()
    assert loaded.values == {}
    assert loaded.notices[0].message_key == "settings.notice.corrupt_defaults"
    assert next(iter(tmp_path.glob("settings.corrupt-*.json"))).read_bytes() == b"{{{{"


def test_a_bad_file_that_cannot_be_kept_is_never_written_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="ja")
    store.path.write_bytes(b"garbage the helpdesk must see")

    def refuse(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Access is denied")

    for name in ("link", "replace"):
        monkeypatch.setattr(os, name, refuse)  # the os module the store calls
    monkeypatch.setattr(store_module, "_copy_file", refuse)
    loaded = store.load()
    assert loaded.values == {"language": "en"}  # the last good copy, in memory
    assert loaded.notices[0].message_key == "settings.notice.not_kept"
    with pytest.raises(SettingsReadOnlyError) as caught:
        saved(store, language="ja")
    assert caught.value.message_key == "settings.read_only_not_kept"
    monkeypatch.undo()
    assert store.path.read_bytes() == b"garbage the helpdesk must see"


def test_a_newer_versions_file_is_left_alone(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="ja")
    newer = b'{"version": 99, "settings": {"language": "ja", "gui.theme": "dark"}}'
    store.path.write_bytes(newer)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert loaded.notices[0].message_key == "settings.notice.newer"
    with pytest.raises(SettingsReadOnlyError) as caught:
        saved(store, language="en")
    assert caught.value.message_key == "settings.read_only_newer"
    assert store.path.read_bytes() == newer
    assert sorted(p.name for p in tmp_path.glob("settings*.json")) == [
        "settings.json",
        "settings.last-good.json",
    ]  # nothing moved or copied aside


def test_a_bad_value_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    original = (
        b'{"version": 1, "settings": {"language": "fr", "verification_method": '
        b'"multitrust", "urls.allowed": ["https://a.jp"]}}'
    )
    store.path.write_bytes(original)
    loaded = store.load()
    assert loaded.values == {"verification_method": "multitrust", "urls.allowed": ["https://a.jp"]}
    assert loaded.notices[0].message_key == "settings.notice.values_reset"
    assert loaded.notices[0].params["keys"] == "language"
    assert next(iter(tmp_path.glob("settings.invalid-*.json"))).read_bytes() == original
    assert not store.load().notices  # repaired once


def test_a_key_from_a_newer_release_is_kept(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_bytes(
        b'{"version": 1, "settings": {"gui.window": [10, 20], "language": "en"}}'
    )
    assert store.load().notices == ()
    saved(store, verification_method="multitrust")
    assert json.loads(store.path.read_text(encoding="utf-8"))["settings"]["gui.window"] == [10, 20]


def test_a_byte_order_mark_is_not_damage(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_bytes(b'\xef\xbb\xbf{"version": 1, "settings": {"language": "en"}}')
    assert store.load().values == {"language": "en"}
    assert not store.load().notices


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="en", verification_method="multitrust")
    real_read = fileio.read_at_most
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the store's time module

    def refuse(path: Path, limit: int) -> bytes:
        if path == store.path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_read(path, limit)

    monkeypatch.setattr(store_module, "read_at_most", refuse)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert loaded.notices[0].message_key == "settings.notice.unreadable_restored"
    assert "Permission denied" in loaded.notices[0].params["detail"]


def test_a_file_held_open_for_a_moment_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    real_read = fileio.read_at_most
    refusals = [PermissionError(errno.EACCES, "sharing violation")] * 2
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the store's time module

    def busy_twice(path: Path, limit: int) -> bytes:
        if path == store.path and refusals:
            raise refusals.pop()
        return real_read(path, limit)

    monkeypatch.setattr(store_module, "read_at_most", busy_twice)
    assert store.load().values == {"language": "en"}
    assert not store.load().notices


def test_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.path.mkdir(parents=True)
    loaded = store.load()
    assert loaded.notices[0].message_key == "settings.notice.unreadable_defaults"
    assert next(iter(tmp_path.glob("settings.unreadable-*.json"))).is_dir()  # moved, kept
    saved(store, language="en")
    assert store.load().values == {"language": "en"}


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


def test_a_repair_on_a_full_disk_keeps_the_bad_file_and_the_good_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    saved(store, language="ja")
    store.path.write_bytes(b"damaged")
    real_atomic_write = atomic_write  # the function the store imported

    def full_for_the_main_file(target: Path, payload: bytes) -> None:
        if target == store.path:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_atomic_write(target, payload)

    monkeypatch.setattr(store_module, "atomic_write", full_for_the_main_file)
    loaded = store.load()
    assert loaded.values == {"language": "en"}
    assert store.path.read_bytes() == b"damaged"  # not replaced, not gone
    assert good_copy(store) == {"language": "en"}  # the last good copy untouched
    assert next(iter(tmp_path.glob("settings.corrupt-*.json"))).read_bytes() == b"damaged"


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


def test_only_our_own_temporaries_are_cleaned(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    saved(store, language="en")
    (tmp_path / "settings.json.4242.deadbeef.tmp").write_bytes(b'{"half')
    (tmp_path / "settings.last-good.json.4242.cafe.tmp").write_bytes(b'{"half')
    (tmp_path / "report.docx.tmp").write_bytes(b"someone else's")
    saved(store, language="ja")
    assert [p.name for p in tmp_path.glob("*.tmp")] == ["report.docx.tmp"]


def test_an_unusable_folder_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    store = SettingsStore(tmp_path / "afile" / "ndnclient")
    with pytest.raises(SettingsWriteError):
        saved(store, language="en")


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


def test_a_failing_migration_is_damage_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(values: dict[str, object]) -> dict[str, object]:
        raise KeyError("lang")

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(store_module.MIGRATIONS, 1, broken)
    store = SettingsStore(tmp_path)
    store.directory.mkdir(exist_ok=True)
    store.path.write_text('{"version": 1, "settings": {}}', encoding="utf-8")
    assert store.load().notices[0].message_key == "settings.notice.corrupt_defaults"


def test_the_default_folder_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path / "x"))
    assert SettingsStore().path == tmp_path / "x" / "settings.json"
    monkeypatch.delenv("NDNCLIENT_CONFIG_DIR")
    assert SettingsStore().directory.name == "ndnclient"
