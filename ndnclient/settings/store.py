"""The user's settings file, written so that nothing is ever lost.

- Writes are atomic: a temporary file in the same folder, flushed and fsynced, then renamed
  over the old one (and the folder fsynced), so a crash or kill leaves the old or the new
  file, never half of one. The main file never disappears, not even during a repair.
- Before each write the current file, if it read well, becomes the last good copy.
- A file that cannot be read or does not parse is kept under a dated name (linked or copied
  there, never deleted) and replaced by the last good copy, or by the defaults; the user is
  told in one sentence. A bad file that cannot be kept is never written over.
- A file from a newer version is left alone: the last good copy is used and nothing is saved
  until the newer version is back (a roaming profile may carry it between PCs).
- A value that breaks its key's rules is dropped (a copy of the file is kept); a key this
  version does not know is kept as it is, for the newer version that wrote it.
- Read-modify-write holds a lock file, so two programs writing at once lose nothing.

The file holds only what the user set; defaults and the IT policy are merged elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

from ndnclient.fileio import atomic_write, read_at_most
from ndnclient.settings.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    parse_json,
    text_is_writable,
    value_problem,
)
from ndnclient.settings.errors import (
    ImportFileError,
    SettingsBusyError,
    SettingsError,
    SettingsReadOnlyError,
    SettingsWriteError,
)
from ndnclient.settings.keys import KEYS, normalize
from ndnclient.settings.notices import Notice

if TYPE_CHECKING:
    from filelock import FileLock

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "NDNCLIENT_CONFIG_DIR"
FILE_NAME = "settings.json"
LAST_GOOD_NAME = "settings.last-good.json"
LOCK_NAME = ".settings.lock"
LOCK_TIMEOUT_SECONDS = 10.0
DOCUMENT_FORMAT = "ndnclient-settings"
SCHEMA_VERSION = 1
# A file another program holds open for a moment (Windows' indexer, an antivirus scan) reads
# as "unreadable"; look again before calling it that.
UNREADABLE_RETRIES = 5

T = TypeVar("T")
UserValues = dict[str, Any]
# Each migration turns a file's "settings" of version N into version N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def config_dir() -> Path:
    """NDNCLIENT_CONFIG_DIR, else the per-user configuration folder (%APPDATA%\\ndnclient on
    Windows, ~/.config/ndnclient on Linux)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("ndnclient", appauthor=False, roaming=True))


def settings_document(values: Mapping[str, Any]) -> dict[str, Any]:
    """The file format, shared by the settings file and exports."""
    return {
        "format": DOCUMENT_FORMAT,
        "version": SCHEMA_VERSION,
        "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "settings": dict(values),
    }


def encode_document(values: Mapping[str, Any]) -> bytes:
    text = json.dumps(settings_document(values), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


class _Unusable(Exception):
    """The whole file cannot be used; `reason` is "unreadable", "corrupt" or "newer"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    values: UserValues
    dropped: tuple[str, ...] = ()  # keys whose values broke their rules


@dataclass(frozen=True)
class Loaded:
    values: UserValues
    notices: tuple[Notice, ...] = ()
    # The main file's bytes when it read well (they become the last good copy on a write).
    good_bytes: bytes | None = None
    # Why the file must not be written over, if it must not (a message key).
    read_only: str | None = None


class SettingsStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / FILE_NAME
        self.last_good_path = self.directory / LAST_GOOD_NAME
        self._lock_path = self.directory / LOCK_NAME
        # The inter-process lock, made on the first write (under a lock of its own, so that
        # two threads writing first at once share one).
        self._lock: FileLock | None = None
        self._lock_made = threading.Lock()

    # --- reading ----------------------------------------------------------------------------

    def load(self) -> Loaded:
        """The user's values, with what the user must be told. A bad file never raises."""
        try:
            raw, parsed = self._read_main()
        except FileNotFoundError:
            return Loaded({})
        except _Unusable:
            pass
        else:
            if not parsed.dropped:
                return Loaded(parsed.values, good_bytes=raw)
        with self._locked():
            # Another program may have repaired it while we waited for the lock.
            return self._load_locked()

    def _read_main(self) -> tuple[bytes, Parsed]:
        for attempt in range(UNREADABLE_RETRIES):
            try:
                raw = read_bytes(self.path)
                break
            except _Unusable:
                if attempt == UNREADABLE_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return raw, parse_settings_document(raw)

    def _load_locked(self) -> Loaded:
        try:
            raw, parsed = self._read_main()
        except FileNotFoundError:
            return Loaded({})
        except _Unusable as problem:
            return self._recover(problem)
        if parsed.dropped:
            return self._salvage(parsed)
        return Loaded(parsed.values, good_bytes=raw)

    def _recover(self, problem: _Unusable) -> Loaded:
        values, from_copy = self._last_good_values()
        if problem.reason == "newer":
            return Loaded(
                values,
                (Notice("settings.notice.newer", {"path": str(self.path)}),),
                read_only="settings.read_only_newer",
            )
        kept = self._keep_copy(problem.reason)
        outcome = "restored" if from_copy else "defaults"
        if kept is None:
            return Loaded(
                values,
                (
                    Notice(
                        "settings.notice.not_kept", {"path": str(self.path), "detail": str(problem)}
                    ),
                ),
                read_only="settings.read_only_not_kept",
            )
        notice = Notice(
            f"settings.notice.{problem.reason}_{outcome}",
            {"path": str(kept), "detail": str(problem)},
        )
        try:
            self._write(values, previous_good=None)
        except SettingsError as error:
            # The bad file is kept elsewhere, so a later write may still replace it.
            log.info("could not put the restored settings in place: %s", error)
        return Loaded(values, (notice,))

    def _salvage(self, parsed: Parsed) -> Loaded:
        kept = self._keep_copy("invalid")
        params = {"keys": ", ".join(parsed.dropped), "path": str(kept or self.path)}
        if kept is None:
            return Loaded(
                parsed.values,
                (Notice("settings.notice.values_reset", params),),
                read_only="settings.read_only_not_kept",
            )
        try:
            self._write(parsed.values, previous_good=None)
        except SettingsError as error:
            log.info("could not save the settings without the bad values: %s", error)
        return Loaded(parsed.values, (Notice("settings.notice.values_reset", params),))

    def _last_good_values(self) -> tuple[UserValues, bool]:
        try:
            return parse_settings_document(read_bytes(self.last_good_path)).values, True
        except (FileNotFoundError, _Unusable):
            return {}, False

    def _keep_copy(self, reason: str) -> Path | None:
        """Keep the bad main file under settings.<reason>-<date>-<time>.json, for the
        helpdesk: a hard link (costs nothing), else a copy, else a rename as the last
        resort. None when none worked: then the file must not be written over."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.directory / f"settings.{reason}-{stamp}.json"
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.directory / f"settings.{reason}-{stamp}-{suffix}.json"
        for keep in (os.link, _copy_file, os.replace):
            try:
                keep(self.path, target)
            except OSError as error:
                log.info("keeping the bad settings file by %s failed: %s", keep.__name__, error)
                continue
            log.info("bad settings file kept as %s", target)
            return target
        return None

    # --- writing ----------------------------------------------------------------------------

    def update(self, change: Callable[[UserValues], tuple[UserValues, T]]) -> T:
        """Read, change and write under the lock. `change` returns the new values and a
        result, which `update` returns."""
        with self._locked():
            loaded = self._load_locked()
            if loaded.read_only is not None:
                raise SettingsReadOnlyError(
                    f"settings file {self.path} is not to be written",
                    loaded.read_only,
                    path=str(self.path),
                )
            new, result = change(dict(loaded.values))
            self._write(new, previous_good=loaded.good_bytes)
            return result

    def set_values(self, change: Callable[[UserValues], UserValues]) -> UserValues:
        """`update` for a change with no result of its own; returns the new values."""

        def new_values_twice(values: UserValues) -> tuple[UserValues, UserValues]:
            new = change(values)
            return new, new

        return self.update(new_values_twice)

    def _write(self, values: Mapping[str, Any], *, previous_good: bytes | None) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._remove_stale_temporaries()
            if previous_good is not None:
                # A copy, not a link: the two names must never share one file that an
                # editor could change in place.
                atomic_write(self.last_good_path, previous_good)
            atomic_write(self.path, encode_document(values))
        except OSError as error:
            raise SettingsWriteError(
                f"could not save {self.path}: {error}",
                disk_full=error.errno in (errno.ENOSPC, errno.EDQUOT),
                path=str(self.path),
                detail=error.strerror or str(error),
            ) from None

    def _remove_stale_temporaries(self) -> None:
        # Only a writer holding the lock makes these temporaries, so any left now are from a
        # writer that was killed. Other files in the folder are not ours to touch.
        for name in (FILE_NAME, LAST_GOOD_NAME):
            for leftover in self.directory.glob(f"{name}.*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # filelock loads only when the settings are written or repaired: most commands only
        # read them, and its import is a good part of their start-up.
        import filelock

        with self._lock_made:
            if self._lock is None:
                self._lock = filelock.FileLock(str(self._lock_path))
            lock = self._lock
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
                yield
        except filelock.Timeout:
            raise SettingsBusyError(
                "another program holds the settings", path=str(self.path)
            ) from None
        except OSError as error:  # the folder cannot be made, or the lock file not opened
            raise SettingsWriteError(
                f"settings folder {self.directory} unusable: {error}",
                path=str(self.directory),
                detail=error.strerror or str(error),
            ) from None


def _copy_file(source: Path, target: Path) -> None:
    """A whole copy under `target`, or none: copied in pieces (the bad file may be of any
    size), then renamed into place."""
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def read_bytes(path: Path) -> bytes:
    try:
        return read_at_most(path, MAX_DOCUMENT_BYTES)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise _Unusable("unreadable", error.strerror or str(error)) from None


def parse_settings_document(raw: bytes) -> Parsed:
    """A settings (or export) file's values: migrated; a value breaking its key's rules
    dropped (and named); a key this version does not know kept as it is."""
    try:
        document = parse_json(raw)
    except DocumentError as error:
        raise _Unusable("corrupt", str(error)) from None
    if not isinstance(document, dict) or not isinstance(document.get("settings"), dict):
        raise _Unusable("corrupt", "no settings object")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Unusable("corrupt", f"bad version {version!r}")
    if version > SCHEMA_VERSION:
        raise _Unusable("newer", f"version {version} is newer than {SCHEMA_VERSION}")
    values: dict[str, Any] = document["settings"]
    try:
        for old in range(version, SCHEMA_VERSION):
            values = MIGRATIONS[old](values)
    except Exception as error:
        raise _Unusable("corrupt", f"migration failed: {type(error).__name__}") from None
    kept: UserValues = {}
    dropped: list[str] = []
    for key, value in values.items():
        if value_problem(value) is not None or not text_is_writable(key):
            # Kept, it would fail every later save (a lone surrogate) or every reader.
            dropped.append(key.encode("utf-8", "backslashreplace").decode("utf-8"))
            continue
        if key not in KEYS:
            kept[key] = value  # for the newer version that wrote it
            continue
        try:
            kept[key] = normalize(key, value)
        except SettingsError:
            dropped.append(key)
    return Parsed(kept, tuple(dropped))


def parse_export(raw: bytes) -> UserValues:
    """The values of an exported settings file; ImportFileError when it is not one, or when
    any value in it breaks its rules (an import is all or nothing)."""
    try:
        parsed = parse_settings_document(raw)
    except _Unusable as problem:
        raise ImportFileError(
            f"not an ndnclient settings export: {problem}", detail=str(problem)
        ) from None
    if parsed.dropped:
        raise ImportFileError(
            f"invalid values for {', '.join(parsed.dropped)}", detail=", ".join(parsed.dropped)
        )
    return parsed.values
