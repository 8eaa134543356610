"""The root of the project's errors: each layer has its own base (CardError, SettingsError)
under this one, and the CLI's main and the GUI's error handler turn them into sentences
through `ndnclient.messages.Messages.describe`."""

from __future__ import annotations

from typing import Any


class UserFacingError(Exception):
    """An error with a sentence in the message catalogue.

    `message_key` names the sentence, `params` fill it in, and `check_code` is the operation
    check's code for the same situation, when it has one. No parameter ever carries a PIN,
    an unlock code or a password.
    """

    message_key = "error"
    check_code: str | None = None

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.params: dict[str, Any] = params
