"""What every page uses: the settings, the card thread, background work, the language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ndnclient.messages import Messages
from ndnclient.settings.service import Settings, SettingsService
from ndnclient.ui.card_bridge import CardBridge
from ndnclient.ui.tasks import Tasks

if TYPE_CHECKING:
    from ndnclient.ui.demo import DemoCard


class SettingsHub(QObject):
    """The settings in force, kept current for every page: a page that saves hands the new
    settings here, and every page showing them hears `changed`."""

    changed = Signal(object)  # Settings

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current = settings

    def update(self, settings: Settings) -> None:
        self.current = settings
        self.changed.emit(settings)


@dataclass
class Services:
    settings_service: SettingsService
    settings: SettingsHub
    card: CardBridge
    tasks: Tasks
    lang: str
    log_dir: Path
    demo: DemoCard | None = None
    # Rebuilds the window in another language (the application sets it); False when the
    # switch waits for a running PIN command or operation check to end.
    change_language: Callable[[str], bool] = lambda _lang: True
    messages: Messages = field(init=False)

    def __post_init__(self) -> None:
        self.messages = Messages(self.lang)

    def locked_sentence(self, key: str) -> str:
        """Why a setting cannot be changed here: IT fixed it (and whom to ask, if known)."""
        contact = self.settings_service.policy.contact
        if contact:
            return self.messages.text("settings.locked", key=key, contact=contact)
        return self.messages.text("settings.locked_no_contact", key=key)

    def describe(self, error: BaseException) -> str:
        """The one sentence (with its code and remedy) for an error a user can meet."""
        # In the window a card is chosen in the selector, not with --card, and so on: the
        # messages' window forms (KEY_gui) say what to press instead of what to type.
        return self.messages.describe(error, in_window=True)
