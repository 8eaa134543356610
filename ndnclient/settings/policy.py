"""The IT policy: a machine-wide TOML file that presets settings and can lock them.

```toml
verification_method = "multitrust"

[ldap]
url = "ldap://repository.example.jp:389/o=Example CA,c=JP"

[policy]
locked = ["verification_method", "ldap.url"]   # users cannot change these
contact = "情報政策課（内線 1234）"                # shown with every locked value
```

Keys are docs/cli.md's settings keys; a dotted key is a table (`[ldap] url` is `ldap.url`). A
locked key without a preset is locked at its default. A policy that cannot be read is
reported in one sentence and ignored; a bad value is reported and that key ignored.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ndnclient.fileio import read_at_most
from ndnclient.settings.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    parse_toml,
)
from ndnclient.settings.errors import SettingsError
from ndnclient.settings.keys import KEYS, normalize
from ndnclient.settings.notices import Notice

POLICY_ENV = "NDNCLIENT_POLICY_FILE"
META_TABLE = "policy"
MAX_KEY_DEPTH = 2  # the deepest settings key has one dot ("ldap.url"); a little room


def policy_path() -> Path:
    """NDNCLIENT_POLICY_FILE, else %PROGRAMDATA%\\ndnclient\\policy.toml on Windows and
    /etc/ndnclient/policy.toml elsewhere."""
    override = os.environ.get(POLICY_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "ndnclient" / "policy.toml"
    return Path("/etc/ndnclient/policy.toml")


@dataclass(frozen=True)
class Policy:
    path: Path | None = None
    presets: Mapping[str, Any] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    contact: str = ""
    notices: tuple[Notice, ...] = ()


def load_policy(path: Path | None = None) -> Policy:
    """The policy in `path` (default: `policy_path()`). Never raises: whatever the file
    holds, the result is a policy and the sentences that say what was ignored."""
    path = path or policy_path()
    try:
        document = parse_toml(read_at_most(path, MAX_DOCUMENT_BYTES))
    except FileNotFoundError:
        return Policy(path)
    except (OSError, DocumentError) as error:
        detail = error.strerror or str(error) if isinstance(error, OSError) else str(error)
        return Policy(
            path,
            notices=(
                Notice("settings.notice.policy_unreadable", {"path": str(path), "error": detail}),
            ),
        )
    notices: list[Notice] = []
    meta = document.pop(META_TABLE, {})
    presets: dict[str, Any] = {}
    for key, value in _flatten(document).items():
        if key not in KEYS:
            notices.append(Notice("settings.notice.policy_unknown_key", {"key": key}))
            continue
        try:
            presets[key] = normalize(key, value)
        except SettingsError:
            notices.append(Notice("settings.notice.policy_bad_value", {"key": key}))
    if not isinstance(meta, dict):
        meta = {}
        notices.append(Notice("settings.notice.policy_bad_value", {"key": META_TABLE}))
    for name in meta:
        if name not in ("locked", "contact"):
            notices.append(
                Notice("settings.notice.policy_unknown_key", {"key": f"{META_TABLE}.{name}"})
            )
    locked, locked_notices = _locked_keys(meta.get("locked", []))
    notices.extend(locked_notices)
    contact = meta.get("contact", "")
    if not isinstance(contact, str):
        notices.append(Notice("settings.notice.policy_bad_value", {"key": f"{META_TABLE}.contact"}))
        contact = ""
    return Policy(path, presets, locked, contact.strip(), tuple(notices))


def _locked_keys(listed: Any) -> tuple[frozenset[str], list[Notice]]:
    """`[policy] locked`: the known keys among its strings; a sentence for anything else."""
    if isinstance(listed, str):
        listed = [listed]  # one key written without the list brackets
    if not isinstance(listed, list):
        return frozenset(), [
            Notice("settings.notice.policy_bad_value", {"key": f"{META_TABLE}.locked"})
        ]
    notices: list[Notice] = []
    locked: set[str] = set()
    for key in listed:
        if not isinstance(key, str):
            # A table or list where a key name belongs: never quoted (it may be huge).
            notices.append(
                Notice("settings.notice.policy_bad_value", {"key": f"{META_TABLE}.locked"})
            )
        elif key in KEYS:
            locked.add(key)
        else:
            notices.append(Notice("settings.notice.policy_unknown_key", {"key": key}))
    return frozenset(locked), notices


def _flatten(document: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Dotted keys for nested tables. Past the deepest a key can be, a table is left whole
    (as the value of a key no one knows, it is reported, not walked)."""
    flat: dict[str, Any] = {}
    for name, value in document.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and depth < MAX_KEY_DEPTH:
            flat.update(_flatten(value, f"{key}.", depth + 1))
        else:
            flat[key] = value
    return flat
