"""The one entry point to the settings for the CLI and the GUI.

Each key's value comes from, in order: the IT policy when it locks the key; the user's own
file; the policy's preset; the default. The user's file holds only what the user set.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ndnclient.fileio import atomic_write, read_at_most
from ndnclient.settings.cards import RegisteredCard, Registration, register, unregister
from ndnclient.settings.documents import MAX_DOCUMENT_BYTES
from ndnclient.settings.errors import (
    ExportFileError,
    ImportFileError,
    ImportFileTooLargeError,
    LockedByPolicyError,
)
from ndnclient.settings.keys import KEYS, normalize, spec_for
from ndnclient.settings.notices import Notice
from ndnclient.settings.policy import Policy, load_policy
from ndnclient.settings.store import (
    SettingsStore,
    UserValues,
    encode_document,
    parse_export,
)
from ndnclient.settings.urls import new_entry_origin, normalize_origin

T = TypeVar("T")


class Source(StrEnum):
    DEFAULT = "default"
    POLICY = "policy"  # preset by IT, the user may change it
    USER = "user"
    LOCKED = "locked"  # fixed by IT


@dataclass(frozen=True)
class Settings:
    """The settings in force, each with where its value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, Source]

    @property
    def cards(self) -> tuple[RegisteredCard, ...]:
        return tuple(RegisteredCard.from_json(entry) for entry in self.values["cards"])

    @property
    def verification_method(self) -> str:
        return str(self.values["verification_method"])

    @property
    def ldap_url(self) -> str:
        return str(self.values["ldap.url"])

    @property
    def ldap_connect_timeout(self) -> float:
        return float(self.values["ldap.connect_timeout"])

    @property
    def ldap_receive_timeout(self) -> float:
        return float(self.values["ldap.receive_timeout"])

    @property
    def trust_anchor_files(self) -> tuple[str, ...]:
        return tuple(self.values["trust.anchor_files"])

    @property
    def trust_use_system_store(self) -> bool:
        return bool(self.values["trust.use_system_store"])

    @property
    def urls_allowed(self) -> tuple[str, ...]:
        return tuple(self.values["urls.allowed"])

    @property
    def proxy_url(self) -> str | None:
        value = self.values["proxy.url"]
        return None if value is None else str(value)

    @property
    def language(self) -> str:
        return str(self.values["language"])

    @property
    def readers_supported(self) -> tuple[str, ...]:
        return tuple(self.values["readers.supported"])

    @property
    def card_profile_files(self) -> tuple[str, ...]:
        return tuple(self.values["card.profile_files"])

    def locked(self, key: str) -> bool:
        return self.sources[key] is Source.LOCKED


def merge(user: Mapping[str, Any], policy: Policy) -> Settings:
    """The settings in force. Values are copies: changing one changes no default."""
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for key, spec in KEYS.items():
        if key in policy.locked:
            value, source = policy.presets.get(key, spec.default), Source.LOCKED
        elif key in user:
            value, source = user[key], Source.USER
        elif key in policy.presets:
            value, source = policy.presets[key], Source.POLICY
        else:
            value, source = spec.default, Source.DEFAULT
        values[key], sources[key] = copy.deepcopy(value), source
    return Settings(values, sources)


@dataclass(frozen=True)
class ImportResult:
    settings: Settings
    skipped_locked: tuple[str, ...]


class SettingsService:
    def __init__(self, store: SettingsStore | None = None, policy: Policy | None = None) -> None:
        self.store = store or SettingsStore()
        self.policy = policy if policy is not None else load_policy()

    def load(self) -> tuple[Settings, tuple[Notice, ...]]:
        """The settings in force and what the user must be told about them."""
        loaded = self.store.load()
        return merge(loaded.values, self.policy), (*self.policy.notices, *loaded.notices)

    def _change(self, key: str, change: Callable[[Settings], tuple[Any, T]]) -> tuple[Settings, T]:
        """Change `key` in the user's file under the lock: `change` sees the settings in
        force and returns the key's new user value and a result."""
        spec_for(key)
        self._refuse_if_locked(key)

        def apply(values: UserValues) -> tuple[UserValues, tuple[Settings, T]]:
            new_value, result = change(merge(values, self.policy))
            new = {**values, key: new_value}
            return new, (merge(new, self.policy), result)

        return self.store.update(apply)

    def _refuse_if_locked(self, key: str) -> None:
        if key in self.policy.locked:
            raise LockedByPolicyError(
                f"{key} is locked by the IT policy", key=key, contact=self.policy.contact
            )

    # --- single values ----------------------------------------------------------------------

    def set(self, key: str, value: Any) -> Settings:
        normalized = normalize(key, value)
        return self._change(key, lambda _: (normalized, None))[0]

    def unset(self, key: str) -> Settings:
        """Back to the policy's preset or the default."""
        spec_for(key)
        self._refuse_if_locked(key)
        values = self.store.set_values(lambda v: {k: x for k, x in v.items() if k != key})
        return merge(values, self.policy)

    # --- cards --------------------------------------------------------------------------------

    def register_card(self, card: RegisteredCard, today: date) -> Registration:
        def change(settings: Settings) -> tuple[Any, Registration]:
            outcome = register(settings.cards, card, today)
            return [c.to_json() for c in outcome.cards], outcome

        return self._change("cards", change)[1]

    def put_card(self, card: RegisteredCard, *, replacing: str | None = None) -> Settings:
        """Add `card`, or put it in place of the entry numbered `replacing` (an edit) or of
        one with its own number. Read and written under the store's lock, so a card
        registered at the same moment from elsewhere is kept."""

        def change(settings: Settings) -> tuple[Any, None]:
            gone = {card.card_number, replacing}
            kept = [c for c in settings.cards if c.card_number not in gone]
            ordered = sorted([*kept, card], key=lambda c: c.valid_from)
            return [c.to_json() for c in ordered], None

        return self._change("cards", change)[0]

    def unregister_card(self, card_number: str, today: date, *, force: bool = False) -> Settings:
        def change(settings: Settings) -> tuple[Any, None]:
            kept = unregister(settings.cards, card_number, today, force=force)
            return [c.to_json() for c in kept], None

        return self._change("cards", change)[0]

    # --- the allowed URL list ----------------------------------------------------------------

    def add_url(self, url: str) -> tuple[Settings, str, bool]:
        """Add an origin; returns the settings, the normalised origin and whether it is new.
        A new entry meets the stricter rule (no site name without a dot)."""
        origin = new_entry_origin(url)

        def change(settings: Settings) -> tuple[Any, bool]:
            current = list(settings.urls_allowed)
            return (current if origin in current else [*current, origin]), origin not in current

        settings, added = self._change("urls.allowed", change)
        return settings, origin, added

    def remove_url(self, url: str) -> tuple[Settings, str, bool]:
        """Remove an origin (given in any form that normalises to it)."""
        origin = normalize_origin(url)

        def change(settings: Settings) -> tuple[Any, bool]:
            current = list(settings.urls_allowed)
            return [u for u in current if u != origin], origin in current

        settings, removed = self._change("urls.allowed", change)
        return settings, origin, removed

    # --- export and import ---------------------------------------------------------------------

    def export(self, path: Path) -> None:
        """Write what the user set (and the registered cards) for another PC. No policy,
        no secrets: the other PC has its own policy and keyring."""
        try:
            atomic_write(path, encode_document(self.store.load().values))
        except OSError as error:
            raise ExportFileError(
                f"could not write {path}: {error}",
                path=str(path),
                detail=error.strerror or str(error),
            ) from None

    def import_(self, path: Path) -> ImportResult:
        """Replace what the user set with an export's values; locked keys are skipped.
        A file that is not a valid export changes nothing."""
        try:
            raw = read_at_most(path, MAX_DOCUMENT_BYTES)
        except OSError as error:
            raise ImportFileError(
                f"could not read {path}: {error}", detail=error.strerror or str(error)
            ) from None
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise ImportFileTooLargeError(
                f"{path} is too large", path=str(path), limit_mb=MAX_DOCUMENT_BYTES // 2**20
            )
        values = parse_export(raw)
        skipped = tuple(key for key in values if key in self.policy.locked)
        kept = {k: v for k, v in values.items() if k not in self.policy.locked}
        return ImportResult(merge(self.store.set_values(lambda _: kept), self.policy), skipped)
