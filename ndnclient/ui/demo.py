"""Demo mode (`ndnclient gui --demo`): the in-process virtual card and settings of its own,
for helpdesk training and screenshots. Nothing touches the user's real settings or reader."""

from __future__ import annotations

import logging
from pathlib import Path

import platformdirs

from ndnclient.card.connection import ReaderBackend
from ndnclient.fileio import atomic_write
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService
from ndnclient.settings.store import SettingsStore
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import StateFileError, create_state, load_state, save_state

log = logging.getLogger(__name__)

DEMO_READER = "ndnclient デモ用リーダー"


def demo_folder() -> Path:
    return Path(platformdirs.user_state_dir("ndnclient", appauthor=False)) / "demo"


class DemoCard:
    """The demo's virtual card, its state kept between runs like a real card's."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or demo_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "card.json"
        try:
            state = load_state(path)
        except (FileNotFoundError, StateFileError):
            state = create_state(kdf_iterations=10_000)
            save_state(state, path)
        self.state = state  # the card's own, kept up to date by the card
        self.card = VirtualGoSignCard(state, on_state_change=lambda s: save_state(s, path))
        self.backend = VirtualReaderBackend(self.card, DEMO_READER)

    def backend_factory(self) -> ReaderBackend:
        return self.backend

    @property
    def inserted(self) -> bool:
        return self.backend.card_present

    def toggle(self) -> None:
        """Pull the card out, or put it back in."""
        if self.backend.card_present:
            self.backend.remove()
        else:
            self.backend.insert()

    def settings_service(self) -> SettingsService:
        """Settings of the demo's own, with no IT policy.

        The demo card's certificate comes from a test CA of its own, which these settings
        (and only these) trust, so the operation check's chain check (G09) passes as it
        would with a real card; the LDAP check (G04) still meets the real network."""
        service = SettingsService(SettingsStore(self.folder / "config"), Policy())
        anchor = self.folder / "demo-ca.der"
        atomic_write(anchor, self.state.ca_certificate_der)
        settings, _ = service.load()
        if str(anchor) not in settings.trust_anchor_files:
            service.set("trust.anchor_files", [*settings.trust_anchor_files, str(anchor)])
        return service
