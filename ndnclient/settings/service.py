"""The one entry point to the settings for the CLI and the GUI.

Each key's value comes from, in order: the IT policy when it locks the key; the user's own
file; the policy's preset; the default. The user's file holds only what the user set.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from ndnclient.settings.cards import RegisteredCard, Registration, register, unregister
from ndnclient.settings.errors import ExportFileError, ImportFileError, LockedByPolicyError
from ndnclient.settings.keys import KEYS, normalize, spec_for
from ndnclient.settings.notices import Notice
from ndnclient.settings.policy import Policy, load_policy
from ndnclient.settings.store import SettingsStore, atomic_write, parse_export
from ndnclient.settings.urls import normalize_origin


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

    def locked(self, key: str) -> bool:
        return self.sources[key] is Source.LOCKED


def merge(user: Mapping[str, Any], policy: Policy) -> Settings:
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for key, spec in KEYS.items():
        if key in policy.locked:
            values[key], sources[key] = policy.presets.get(key, spec.default), Source.LOCKED
        elif key in user:
            values[key], sources[key] = user[key], Source.USER
        elif key in policy.presets:
            values[key], sources[key] = policy.presets[key], Source.POLICY
        else:
            values[key], sources[key] = spec.default, Source.DEFAULT
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

    # --- single values --------------------------------------------------------------------

    def set(self, key: str, value: Any) -> Settings:
        spec_for(key)
        self._refuse_if_locked(key)
        normalized = normalize(key, value)
        return self._update(lambda values: {**values, key: normalized})

    def unset(self, key: str) -> Settings:
        """Back to the policy's preset or the default."""
        spec_for(key)
        self._refuse_if_locked(key)
        return self._update(lambda values: {k: v for k, v in values.items() if k != key})

    def _refuse_if_locked(self, key: str) -> None:
        if key in self.policy.locked:
            raise LockedByPolicyError(
                f"{key} is locked by the IT policy", key=key, contact=self.policy.contact or "-"
            )

    def _update(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Settings:
        return merge(self.store.update(change), self.policy)

    # --- cards ------------------------------------------------------------------------------

    def register_card(self, card: RegisteredCard, today: date) -> Registration:
        self._refuse_if_locked("cards")
        outcome: list[Registration] = []

        def change(values: dict[str, Any]) -> dict[str, Any]:
            current = merge(values, self.policy).cards
            outcome.append(register(current, card, today))
            return {**values, "cards": [c.to_json() for c in outcome[-1].cards]}

        self._update(change)
        return outcome[-1]

    def unregister_card(self, card_number: str, today: date, *, force: bool = False) -> Settings:
        self._refuse_if_locked("cards")

        def change(values: dict[str, Any]) -> dict[str, Any]:
            kept = unregister(merge(values, self.policy).cards, card_number, today, force=force)
            return {**values, "cards": [c.to_json() for c in kept]}

        return self._update(change)

    # --- the allowed URL list ------------------------------------------------------------------

    def add_url(self, url: str) -> tuple[Settings, str, bool]:
        """Add an origin; returns the settings, the normalised origin and whether it is new."""
        self._refuse_if_locked("urls.allowed")
        origin = normalize_origin(url)
        added: list[bool] = []

        def change(values: dict[str, Any]) -> dict[str, Any]:
            current = list(merge(values, self.policy).values["urls.allowed"])
            added.append(origin not in current)
            return {**values, "urls.allowed": normalize("urls.allowed", [*current, origin])}

        return self._update(change), origin, added[-1]

    def remove_url(self, url: str) -> tuple[Settings, str, bool]:
        """Remove an origin (given in any form that normalises to it)."""
        self._refuse_if_locked("urls.allowed")
        origin = normalize_origin(url)
        removed: list[bool] = []

        def change(values: dict[str, Any]) -> dict[str, Any]:
            current = list(merge(values, self.policy).values["urls.allowed"])
            removed.append(origin in current)
            return {**values, "urls.allowed": [u for u in current if u != origin]}

        return self._update(change), origin, removed[-1]

    # --- export and import --------------------------------------------------------------------

    def export(self, path: Path) -> None:
        """Write what the user set (and the registered cards) for another PC. No policy,
        no secrets: the other PC has its own policy and keyring."""
        loaded = self.store.load()
        document = {"format": "ndnclient-settings", "version": 1, "settings": loaded.values}
        payload = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            atomic_write(path, payload.encode("utf-8"))
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
            raw = path.read_bytes()
        except OSError as error:
            raise ImportFileError(
                f"could not read {path}: {error}", detail=error.strerror or str(error)
            ) from None
        values = parse_export(raw)
        skipped = tuple(key for key in values if key in self.policy.locked)
        kept = {k: v for k, v in values.items() if k not in self.policy.locked}
        return ImportResult(self._update(lambda _: kept), skipped)
