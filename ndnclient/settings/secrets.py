"""Secrets in the system keyring (Windows Credential Manager, macOS Keychain, Secret Service).
Only the proxy password is one today. Nothing secret is ever written to the settings file.

Keyring failures become a SecretStoreError with a clear sentence ("missing", "locked",
"failed"); whatever does not need the secret keeps working. Besides KeyringError, backends
raise their platform's own errors (pywintypes.error on Windows, dbus errors on Linux), so
every exception from the keyring is caught.
"""

from __future__ import annotations

import keyring
import keyring.errors
from keyring.backends import fail, null

from ndnclient.settings.errors import SecretStoreError

SERVICE = "ndnclient"


def _account(proxy_url: str) -> str:
    return f"proxy:{proxy_url}"


def _kind(error: BaseException) -> str:
    if isinstance(error, keyring.errors.NoKeyringError | keyring.errors.InitError):
        return "missing"
    if isinstance(error, keyring.errors.KeyringLocked):
        return "locked"
    return "failed"


def _check_backend() -> None:
    # The null backend "stores" by dropping the value: no better than none at all.
    if isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring):
        raise SecretStoreError("no system keyring is available", kind="missing")


def keyring_backend() -> tuple[str, bool]:
    """The keyring backend in use, as module.Class, and whether it can keep a secret. For IT
    and the helpdesk (`settings show`, the diagnostics file); never raises."""
    try:
        backend = keyring.get_keyring()
    except Exception as error:  # a broken backend's own errors, whatever they are
        return f"({type(error).__name__})", False
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    return name, not isinstance(backend, fail.Keyring | null.Keyring)


def get_proxy_password(proxy_url: str) -> str | None:
    """The stored password for `proxy_url`, or None when none is stored."""
    _check_backend()
    try:
        return keyring.get_password(SERVICE, _account(proxy_url))
    except Exception as error:
        raise SecretStoreError(
            f"reading the keyring failed: {type(error).__name__}", kind=_kind(error)
        ) from None


def set_proxy_password(proxy_url: str, password: str) -> None:
    _check_backend()
    try:
        keyring.set_password(SERVICE, _account(proxy_url), password)
    except Exception as error:
        # The error's own text is left out: some backends repeat what they were given.
        raise SecretStoreError(
            f"writing the keyring failed: {type(error).__name__}", kind=_kind(error)
        ) from None


def delete_proxy_password(proxy_url: str) -> bool:
    """Remove the stored password; False when there was none."""
    _check_backend()
    try:
        keyring.delete_password(SERVICE, _account(proxy_url))
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as error:
        raise SecretStoreError(
            f"changing the keyring failed: {type(error).__name__}", kind=_kind(error)
        ) from None
    return True
