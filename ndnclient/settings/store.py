"""The user's settings file, written so that nothing is ever lost.

- Writes are atomic: a temporary file in the same folder, flushed and fsynced, then renamed
  over the old one (and the folder fsynced), so a crash or kill leaves the old or the new
  file, never half of one.
- Before each write the current file, if it reads well, becomes the last good copy.
- A file that cannot be read, does not parse, or comes from a newer version is set aside
  under a dated name (never deleted); the last good copy, or the defaults, are used and the
  user is told in one sentence.
- Read-modify-write holds a lock file, so two programs writing at once do not lose each
  other's change.

The file holds only what the user set; defaults and the IT policy are merged elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock
import platformdirs

from ndnclient.settings.errors import (
    ImportFileError,
    SettingsBusyError,
    SettingsError,
    SettingsWriteError,
)
from ndnclient.settings.keys import KEYS, normalize
from ndnclient.settings.notices import Notice

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "NDNCLIENT_CONFIG_DIR"
FILE_NAME = "settings.json"
LAST_GOOD_NAME = "settings.last-good.json"
LOCK_NAME = ".settings.lock"
LOCK_TIMEOUT_SECONDS = 10.0
SCHEMA_VERSION = 1

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


class _Unusable(Exception):
    """The file cannot be used; `reason` is "unreadable", "corrupt" or "newer"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Loaded:
    values: UserValues
    notices: tuple[Notice, ...] = ()


class SettingsStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / FILE_NAME
        self.last_good_path = self.directory / LAST_GOOD_NAME
        self._lock = filelock.FileLock(str(self.directory / LOCK_NAME))

    # --- reading --------------------------------------------------------------------------

    def load(self) -> Loaded:
        """The user's values. A bad file is set aside and replaced by the last good copy
        (or nothing), with a notice; this never raises for a bad file."""
        try:
            return Loaded(read_settings_file(self.path))
        except FileNotFoundError:
            return Loaded({})
        except _Unusable:
            pass
        with self._locked():
            # Another program may have repaired it while we waited for the lock.
            try:
                return Loaded(read_settings_file(self.path))
            except FileNotFoundError:
                return Loaded({})
            except _Unusable as problem:
                return self._repair(problem)

    def _repair(self, problem: _Unusable) -> Loaded:
        aside = self._set_aside(problem.reason)
        params = {"path": str(aside or self.path), "detail": str(problem)}
        try:
            values = read_settings_file(self.last_good_path)
        except (FileNotFoundError, _Unusable):
            return Loaded({}, (Notice(f"settings.notice.{problem.reason}_defaults", params),))
        try:
            self._write(values, keep_last_good=False)
        except SettingsError as error:
            log.warning("could not restore the last good settings: %s", error)
        return Loaded(values, (Notice(f"settings.notice.{problem.reason}_restored", params),))

    def _set_aside(self, reason: str) -> Path | None:
        """Move the bad file to settings.<reason>-<date>-<time>.json, for the helpdesk."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.directory / f"settings.{reason}-{stamp}.json"
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.directory / f"settings.{reason}-{stamp}-{suffix}.json"
        try:
            os.replace(self.path, target)
        except OSError as error:
            log.error("could not set the bad settings file aside: %s", error)
            return None
        log.warning("settings file set aside as %s", target)
        return target

    # --- writing --------------------------------------------------------------------------

    def update(self, change: Callable[[UserValues], UserValues]) -> UserValues:
        """Read, change and write under the lock; return what was written."""
        with self._locked():
            try:
                current = read_settings_file(self.path)
            except FileNotFoundError:
                current = {}
            except _Unusable as problem:
                current = self._repair(problem).values
            new = change(dict(current))
            self._write(new)
            return new

    def _write(self, values: Mapping[str, Any], *, keep_last_good: bool = True) -> None:
        document = {
            "format": "ndnclient-settings",
            "version": SCHEMA_VERSION,
            "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "settings": dict(values),
        }
        payload = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._remove_stale_temporaries()
            if keep_last_good and self.path.exists():
                self._keep_last_good()
            atomic_write(self.path, payload.encode("utf-8"))
        except OSError as error:
            raise SettingsWriteError(
                f"could not save {self.path}: {error}",
                disk_full=error.errno in (errno.ENOSPC, errno.EDQUOT),
                path=str(self.path),
                detail=error.strerror or str(error),
            ) from None

    def _keep_last_good(self) -> None:
        try:
            read_settings_file(self.path)
        except (FileNotFoundError, _Unusable):
            return  # not a good copy: the last good one stays as it is
        temporary = _temporary_path(self.last_good_path)
        try:
            # A hard link costs nothing and, since the main file is replaced by a rename,
            # keeps the old contents; where links are not possible, copy.
            os.link(self.path, temporary)
        except OSError:
            atomic_write(self.last_good_path, self.path.read_bytes())
            return
        _replace(temporary, self.last_good_path)

    def _remove_stale_temporaries(self) -> None:
        # Only a writer holding the lock makes temporaries, so any left now are from a
        # writer that was killed.
        for leftover in self.directory.glob("*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with self._lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
                yield
        except filelock.Timeout:
            raise SettingsBusyError(
                "another program holds the settings", path=str(self.path)
            ) from None


def atomic_write(target: Path, payload: bytes) -> None:
    """Write `payload` to `target` so that `target` is always either old or new."""
    temporary = _temporary_path(target)
    try:
        with open(temporary, "xb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        _replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_directory(target.parent)


def _temporary_path(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _replace(source: Path, target: Path) -> None:
    # Windows refuses to replace a file another program has open for a moment (an indexer,
    # an antivirus scan); try a few times before giving up.
    for attempt in range(10):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == 9:
                raise
            time.sleep(0.05 * (attempt + 1))


def _fsync_directory(directory: Path) -> None:
    if sys.platform == "win32":
        return  # no directory handles to fsync on Windows; the rename is durable there
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_settings_file(path: Path) -> UserValues:
    """The user's values from one settings (or export) file, migrated and validated."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise _Unusable("unreadable", error.strerror or str(error)) from None
    return parse_settings_document(raw)


def parse_settings_document(raw: bytes) -> UserValues:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Unusable("corrupt", f"not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("settings"), dict):
        raise _Unusable("corrupt", "no settings object")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Unusable("corrupt", f"bad version {version!r}")
    if version > SCHEMA_VERSION:
        raise _Unusable("newer", f"version {version} is newer than {SCHEMA_VERSION}")
    values: dict[str, Any] = document["settings"]
    for old in range(version, SCHEMA_VERSION):
        values = MIGRATIONS[old](values)
    validated: UserValues = {}
    for key, value in values.items():
        if key not in KEYS:
            raise _Unusable("corrupt", f"unknown key {key!r}")
        try:
            validated[key] = normalize(key, value)
        except SettingsError as error:
            raise _Unusable("corrupt", f"{key}: {error}") from None
    return validated


def parse_export(raw: bytes) -> UserValues:
    """The values of an exported settings file; ImportFileError when it is not one."""
    try:
        return parse_settings_document(raw)
    except _Unusable as problem:
        raise ImportFileError(
            f"not an ndnclient settings export: {problem}", detail=str(problem)
        ) from None
