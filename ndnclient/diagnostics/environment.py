"""The diagnostics file a user saves for the helpdesk (バージョン情報 → 診断情報を保存, and the
dialog after an unexpected error): version, system, paths, settings in force, the card's
state, and the end of the log. No PIN, unlock code or password: none is in any of these."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ndnclient
from ndnclient.diagnostics.report import in_japan, system_facts
from ndnclient.errors import UserFacingError
from ndnclient.fileio import atomic_write
from ndnclient.settings.secrets import keyring_backend

LOG_LINES = 300


def log_tail(path: Path, lines: int = LOG_LINES) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return [f"(the log could not be read: {error})"]
    return text.splitlines()[-lines:]


def diagnostics_document(
    *,
    paths: Mapping[str, str],
    settings: Mapping[str, Any],
    card: Mapping[str, Any] | None,
    log_file: Path,
) -> dict[str, Any]:
    return {
        "app": {"name": "ndnclient", "version": ndnclient.__version__},
        "system": system_facts(),
        # Japan time, its +09:00 written out: the helpdesk reads it beside the report's.
        "generated_at": in_japan(datetime.now(UTC)).isoformat(timespec="seconds"),
        "paths": dict(paths),
        "settings": dict(settings),
        "keyring": dict(zip(("backend", "usable"), keyring_backend(), strict=True)),
        "card": dict(card) if card is not None else None,
        "log_tail": log_tail(log_file),
    }


def diagnostics_text(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


class DiagnosticsWriteError(UserFacingError):
    """The diagnostics file could not be written."""

    message_key = "gui.diagnostics_failed"


def write_diagnostics(
    path: Path,
    *,
    paths: Mapping[str, str],
    settings: Mapping[str, Any],
    card: Mapping[str, Any] | None,
    log_file: Path,
) -> None:
    """Gather (the log's end, the system) and write the file atomically: slow and I/O, so
    never on the GUI thread."""
    document = diagnostics_document(paths=paths, settings=settings, card=card, log_file=log_file)
    try:
        atomic_write(path, diagnostics_text(document).encode("utf-8"))
    except OSError as error:
        raise DiagnosticsWriteError(
            f"could not write {path}: {error}", path=str(path), detail=error.strerror or str(error)
        ) from None
