"""An in-memory keyring for tests: this machine has no desktop keyring to use."""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail, null


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring (the machine has no desktop keyring to use in tests)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's base class is untyped
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("none")
        del self.entries[(service, username)]


def failing_keyring() -> KeyringBackend:
    """keyring's own "no usable keyring here" backend, as on a machine without one."""
    return fail.Keyring()  # type: ignore[no-untyped-call]  # keyring's backends are untyped


def null_keyring() -> KeyringBackend:
    """keyring's null backend, which keeps nothing (what a user may configure to opt out)."""
    return null.Keyring()  # type: ignore[no-untyped-call]  # keyring's backends are untyped
