"""Errors of the settings layer, each with its sentence in resources/messages."""

from __future__ import annotations

from typing import Any

from ndnclient.errors import UserFacingError


class SettingsError(UserFacingError):
    """Base of every error the settings layer raises."""

    message_key = "settings.error"


class InvalidValueError(SettingsError):
    """A value breaks its key's rules; `reason` picks the sentence (settings.invalid.*)."""

    def __init__(self, message: str, *, key: str, reason: str, **params: Any) -> None:
        super().__init__(message, key=key, **params)
        self.key = key
        self.reason = reason
        self.message_key = f"settings.invalid.{reason}"


class UnknownKeyError(SettingsError):
    message_key = "settings.unknown_key"


class LockedByPolicyError(SettingsError):
    """IT's policy fixes this value; the sentence names who to ask, when the policy says."""

    def __init__(self, message: str, *, key: str, contact: str) -> None:
        super().__init__(message, key=key, contact=contact)
        self.message_key = "settings.locked" if contact else "settings.locked_no_contact"


class SettingsWriteError(SettingsError):
    """The settings could not be saved; the file on disk is the previous good state."""

    message_key = "settings.write_failed"

    def __init__(self, message: str, *, disk_full: bool = False, **params: Any) -> None:
        super().__init__(message, **params)
        if disk_full:
            self.message_key = "settings.write_failed_disk_full"


class SettingsReadOnlyError(SettingsWriteError):
    """The file on disk must not be written over: it is from a newer version, or it is
    damaged and could not be kept elsewhere first."""

    def __init__(self, message: str, message_key: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.message_key = message_key


class SettingsBusyError(SettingsWriteError):
    """Another program held the settings for too long."""

    message_key = "settings.busy"


class ExportFileError(SettingsError):
    message_key = "settings.export_failed"


class ImportFileError(SettingsError):
    """A file to import is not an ndnclient settings export; nothing was changed."""

    message_key = "settings.import_failed"


class ImportFileTooLargeError(ImportFileError):
    message_key = "settings.import_too_large"


class SecretStoreError(SettingsError):
    """The system's keyring is missing, locked or refused; everything else still works."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message_key = f"settings.keyring_{kind}"


class CardExpiredError(SettingsError):
    message_key = "settings.card_expired"


class CardNotRegisteredError(SettingsError):
    message_key = "settings.card_not_registered"


class CardInSwitchingPeriodError(SettingsError):
    """The old card of a renewal stays registered until its switching period is over."""

    message_key = "settings.card_in_switching"
