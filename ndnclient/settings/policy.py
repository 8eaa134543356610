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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ndnclient.settings.errors import SettingsError
from ndnclient.settings.keys import KEYS, normalize
from ndnclient.settings.notices import Notice

POLICY_ENV = "NDNCLIENT_POLICY_FILE"
META_TABLE = "policy"


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
    path = path or policy_path()
    try:
        # utf-8-sig: Notepad and PowerShell 5 write a byte-order mark.
        document = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return Policy(path)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return Policy(
            path,
            notices=(
                Notice(
                    "settings.notice.policy_unreadable", {"path": str(path), "error": str(error)}
                ),
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
    locked_keys = meta.get("locked", [])
    if isinstance(locked_keys, str):
        locked_keys = [locked_keys]  # one key written without the list brackets
    if not isinstance(locked_keys, list):
        notices.append(Notice("settings.notice.policy_bad_value", {"key": f"{META_TABLE}.locked"}))
        locked_keys = []
    locked = frozenset(k for k in locked_keys if isinstance(k, str) and k in KEYS)
    for key in locked_keys:
        if key not in locked:
            notices.append(Notice("settings.notice.policy_unknown_key", {"key": str(key)}))
    contact = meta.get("contact", "")
    return Policy(path, presets, locked, str(contact).strip(), tuple(notices))


def _flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in document.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat
