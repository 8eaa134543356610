"""Notices: things the user is told in one sentence while everything goes on working
(a corrupt file set aside, a policy that could not be read ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    message_key: str
    params: Mapping[str, Any] = field(default_factory=dict)
