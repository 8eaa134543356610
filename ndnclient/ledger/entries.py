"""The ledger's entries: what a lending, a return, a use of the card and a correction record.

There is no field for a PIN, an unlock code or a pass phrase, and signed data is only ever
kept as its SHA-256: the ledger cannot leak what it never holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from ndnclient.errors import UserFacingError

Kind = Literal["lend", "return", "use", "correction"]
Operation = Literal["pin_verify", "pin_change", "pin_unlock", "sign_g14", "sign_smime"]
Result = Literal["ok", "wrong", "blocked", "not_sent", "error"]

KINDS: tuple[str, ...] = get_args(Kind)
OPERATIONS: tuple[str, ...] = get_args(Operation)
RESULTS: tuple[str, ...] = get_args(Result)

# The link before the first entry.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Entry:
    kind: Kind
    time: datetime  # timezone-aware UTC; shown in Japan time (+09:00)
    card_number: str  # 16 digits, no hyphens
    user: str | None = None  # lend: who borrows; use: the OS user is in os_user
    purpose: str | None = None  # 件名 (lend, required)
    destination: str | None = None  # 宛先
    approver: str | None = None  # 保管責任者 (lend)
    due: datetime | None = None  # lend: when it must be back (UTC)
    note: str | None = None  # return
    operation: Operation | None = None  # use
    result: Result | None = None  # use
    tries_left: int | None = None  # use: afterwards, if known
    data_sha256: str | None = None  # use (signatures): SHA-256 hex of what was signed
    pc: str | None = None  # use/lend/return: the PC name
    os_user: str | None = None
    lending_id: int | None = None  # use: id of the lend entry in force, None = not lent
    refers_to: int | None = None  # correction: the entry corrected
    reason: str | None = None  # correction (required)
    fields: Mapping[str, str] = field(default_factory=dict)  # correction: new values
    id: int = 0  # chain position 1..N, given by the store
    prev_hash: str = ""  # hex SHA-256 of the previous entry (GENESIS_HASH for the first)
    hash: str = ""  # hex SHA-256 over canonical content + prev_hash

    # `fields` is a mapping, so the generated __hash__ would fail; entries are compared, not
    # put in sets.
    __hash__ = None  # type: ignore[assignment]


class LedgerError(UserFacingError):
    """A refusal of the ledger; `message_key` is a sentence under [ledger] in the catalogue,
    e.g. LedgerError("ledger.already_lent", user=..., since=...)."""

    message_key = "ledger.error"

    def __init__(self, message_key: str = "ledger.error", **params: Any) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key
