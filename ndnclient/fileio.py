"""Writing files so that a crash, a kill or a full disk leaves the old or the new version,
never half of one; new files that never go over an existing one; and reading a file from
outside no further than a bound."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import time
from pathlib import Path

from ndnclient.errors import UserFacingError

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class NewFileError(UserFacingError):
    """A new file could not be written (nothing is left half-written)."""

    message_key = "file.cannot_write"


class NewFileExistsError(NewFileError):
    """The file is there already: it is never overwritten."""

    message_key = "file.exists"


def create_new_file(path: Path, payload: bytes, *, private: bool = False) -> None:
    """`atomic_create`, its failure told as a sentence (a CSR and its key, a signed
    message): the user chose the name, so an existing file is theirs and stays."""
    try:
        atomic_create(path, payload, private=private)
    except FileExistsError:
        raise NewFileExistsError(f"{path} exists", path=str(path)) from None
    except OSError as error:
        detail = error.strerror or type(error).__name__
        raise NewFileError(f"{path}: {detail}", path=str(path), detail=detail) from None


def _token() -> str:
    """A few random hex digits for a temporary file's name (os.urandom: `secrets` costs
    start-up time for the same bytes)."""
    return os.urandom(4).hex()


def atomic_write(target: Path, payload: bytes) -> None:
    """Write `payload` to `target` so that `target` is always either old or new.

    Only a regular file (or none) is written: renamed over, a device would be gone for every
    program on the machine (as root, /dev/null), written into, a disk would be overwritten
    or a pipe with no reader would wait for ever. Anything else is an OSError."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        mode = None  # not there yet (or not reachable: the write below says why)
    if mode is not None:
        _require_regular(target, mode)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{_token()}.tmp")
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


def atomic_create(target: Path, payload: bytes, *, private: bool = False) -> None:
    """Write a new file `target`: all of `payload` or nothing, and never over an existing
    file (FileExistsError). `private`: readable by the owner only (POSIX modes; on Windows
    the user's own folders already keep other users out)."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{_token()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o600 if private else 0o644)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        if sys.platform == "win32":
            os.rename(temporary, target)  # Windows' rename refuses an existing target
        else:
            try:
                os.link(temporary, target)  # a hard link refuses an existing target
            except FileExistsError:
                raise
            except OSError:
                # A file system without hard links (a FAT USB stick): create the target
                # exclusively and write it directly. Still never over an existing file.
                _write_exclusively(target, payload, private)
            with contextlib.suppress(OSError):  # the target is complete either way
                temporary.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_directory(target.parent)


def _write_exclusively(target: Path, payload: bytes, private: bool) -> None:
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()  # ours, just created: never leave half of it
        raise


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


def read_at_most(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path`: one more than allowed, so the caller can tell a
    file was too large. A huge file must not fill the memory, and a pipe with no writer
    must not hang the program: only a regular file is read (opened without waiting, then
    looked at). OSError is the caller's to tell."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _BINARY)
    with os.fdopen(descriptor, "rb") as file:
        _require_regular(path, os.fstat(descriptor).st_mode)
        return file.read(limit + 1)


class NotARegularFileError(OSError):
    """A folder, device, pipe or socket where a file was to be read or written."""


def _require_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotARegularFileError(errno.EINVAL, "not a regular file", str(path))
