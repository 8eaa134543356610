"""The operating system's trust store, as G09's last anchors (after IT's files and the
bundled folder): a PC used for e-bidding has the issuer's root registered there.

- Windows: the `ROOT` store's certificates are anchors, the `CA` store's only path
  candidates (intermediates), never anchors. Only `x509_asn` entries are read (a
  `pkcs_7_asn` entry is skipped). A ROOT entry counts when Windows trusts it for every
  purpose (`True`) or for some purpose (a non-empty set of OIDs): the card's certificate
  signs documents and logs in, it is no TLS server, so requiring serverAuth (as Python's
  own TLS contexts do) would drop a root registered for signing or client use only — the
  GoSign case. An empty set is a root switched off for every purpose: skipped.
- Elsewhere: OpenSSL's default file and folder. `SSL_CERT_FILE` and `SSL_CERT_DIR` win
  when set (as in OpenSSL; `SSL_CERT_DIR` may list several folders, split at os.pathsep),
  else the compiled-in `openssl_cafile` and `openssl_capath`. In the folder only the
  names OpenSSL itself looks up are read — `<8 hex digits>.<n>`, what `c_rehash` /
  `openssl rehash` make — each target file once, at most MAX_DIR_FILES files and
  MAX_DIR_BYTES bytes in all (past either the rest is left, and the facts say so).

Every entry passes the boundary (ndnclient.pki.untrusted), one certificate at a time: a
bundle's one odd certificate (Debian's holds one with a non-positive serial number) is
skipped and counted, never fails the rest; a store that cannot be read at all is a line in
the facts. Nothing here is an error: the store only adds anchors.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ndnclient.pki.untrusted import (
    UntrustedDataError,
    certificate_from_der,
    certificates_from_pem,
    read_limited,
)

if TYPE_CHECKING:
    from cryptography import x509

MAX_DIR_FILES = 2000
MAX_DIR_BYTES = 32 * 1024 * 1024
MAX_PROBLEMS = 5  # lines kept in the facts; the count has them all

_HASHED_NAME = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")  # not ".r0": those are CRLs
_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


class AnchorSource(StrEnum):
    ANCHOR_FILES = "anchor_files"  # IT's trust.anchor_files
    BUNDLED = "bundled"  # resources/trust/gosign
    WINDOWS_ROOT = "windows_root"
    SYSTEM_FILE = "system_file"  # SSL_CERT_FILE or OpenSSL's default file
    SYSTEM_DIR = "system_dir"  # SSL_CERT_DIR or OpenSSL's default folder


@dataclass
class SystemStore:
    """What the system store gave: anchors with their source, intermediates (Windows CA
    store), and what was skipped."""

    anchors: list[tuple[x509.Certificate, AnchorSource]] = field(default_factory=list)
    intermediates: list[x509.Certificate] = field(default_factory=list)
    read: dict[str, str] = field(default_factory=dict)  # source -> the store's name or path
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    truncated: bool = False

    def skip(self, where: str, why: object) -> None:
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {why}"[:200])

    def facts(self) -> dict[str, Any]:
        return {
            "read": {str(source): where for source, where in self.read.items()},
            "anchors": len(self.anchors),
            "intermediates": len(self.intermediates),
            "skipped": self.skipped,
            "problems": list(self.problems),
            "truncated": self.truncated,
        }


def load_system_store(
    *,
    platform: str,
    environ: Mapping[str, str] | None = None,
    enum_certificates: Callable[[str], Iterable[tuple[bytes, str, Any]]] | None = None,
) -> SystemStore:
    """The system's anchors (and on Windows its intermediates). `platform` is
    sys.platform's value, a parameter so that the Windows branch runs in tests anywhere."""
    store = SystemStore()
    if platform == "win32":
        _windows(store, enum_certificates)
    else:
        _openssl(store, os.environ if environ is None else environ)
    return store


# --- Windows ----------------------------------------------------------------------------------


def _windows(
    store: SystemStore,
    enum_certificates: Callable[[str], Iterable[tuple[bytes, str, Any]]] | None,
) -> None:
    import ssl

    enum = enum_certificates or getattr(ssl, "enum_certificates", None)
    if enum is None:
        store.problems.append("ssl.enum_certificates: not available")
        return
    for name, is_root in (("ROOT", True), ("CA", False)):
        try:
            entries = list(enum(name))
        except (OSError, ValueError, TypeError) as error:  # a store Windows will not open
            store.skip(name, type(error).__name__)
            continue
        store.read[AnchorSource.WINDOWS_ROOT if is_root else "windows_ca"] = name
        for index, entry in enumerate(entries):
            where = f"{name}[{index}]"
            try:
                data, encoding, trust = entry
            except (TypeError, ValueError):
                store.skip(where, "not an entry")
                continue
            if encoding != "x509_asn" or not isinstance(data, bytes):
                store.skip(where, f"encoding {encoding!r}")
                continue
            if is_root and not (trust is True or (isinstance(trust, set | frozenset) and trust)):
                store.skip(where, "trusted for no purpose")
                continue
            try:
                certificate = certificate_from_der(data)
            except UntrustedDataError as error:
                store.skip(where, error)
                continue
            if is_root:
                store.anchors.append((certificate, AnchorSource.WINDOWS_ROOT))
            else:
                store.intermediates.append(certificate)


# --- OpenSSL's file and folder ------------------------------------------------------------------


def openssl_locations(environ: Mapping[str, str]) -> tuple[str | None, list[str]]:
    """The CA file and folders OpenSSL would use: the environment's, else its defaults."""
    import ssl

    paths = ssl.get_default_verify_paths()
    cafile = environ.get(paths.openssl_cafile_env) or paths.openssl_cafile or None
    capath = environ.get(paths.openssl_capath_env) or paths.openssl_capath or ""
    return cafile, [folder for folder in capath.split(os.pathsep) if folder]


def _openssl(store: SystemStore, environ: Mapping[str, str]) -> None:
    cafile, folders = openssl_locations(environ)
    seen: set[bytes] = set()  # the same certificate in the file and the folder: once
    if cafile:
        try:
            data = read_limited(Path(cafile))
        except FileNotFoundError:
            pass  # no default file on this system: nothing to add, nothing to say
        except (OSError, ValueError, UntrustedDataError) as error:
            store.skip(cafile, getattr(error, "strerror", None) or error)
        else:
            store.read[AnchorSource.SYSTEM_FILE] = cafile
            _add_pem_or_der(store, data, cafile, AnchorSource.SYSTEM_FILE, seen)
    files = 0
    total = 0
    read_targets: set[str] = set()
    for folder in folders:
        try:
            names = sorted(entry.name for entry in os.scandir(folder))
        except OSError:
            continue  # no such folder: OpenSSL ignores it too
        store.read.setdefault(AnchorSource.SYSTEM_DIR, os.pathsep.join(folders))
        for name in names:
            if not _HASHED_NAME.match(name):
                continue
            path = Path(folder, name)
            try:
                target = os.path.realpath(path)
                if target in read_targets:
                    continue
                size = os.path.getsize(target)
                if files >= MAX_DIR_FILES or total + size > MAX_DIR_BYTES:
                    store.truncated = True
                    return
                read_targets.add(target)
                files += 1
                total += size
                data = read_limited(path)
            except (OSError, ValueError, UntrustedDataError) as error:
                store.skip(str(path), getattr(error, "strerror", None) or error)
                continue
            _add_pem_or_der(store, data, str(path), AnchorSource.SYSTEM_DIR, seen)


def _add_pem_or_der(
    store: SystemStore, data: bytes, where: str, source: AnchorSource, seen: set[bytes]
) -> None:
    """Each certificate of a PEM text (other PEM blocks are not certificates: left), or the
    one DER certificate, through the boundary one at a time."""
    blocks = _PEM_CERTIFICATE.findall(data) if b"-----BEGIN" in data else [data]
    for index, block in enumerate(blocks):
        if block in seen:
            continue
        seen.add(block)
        try:
            if block.startswith(b"-----"):
                (certificate,) = certificates_from_pem(block)
            else:
                certificate = certificate_from_der(block)
        except (UntrustedDataError, ValueError) as error:
            store.skip(f"{where}#{index}" if len(blocks) > 1 else where, error)
            continue
        store.anchors.append((certificate, source))
