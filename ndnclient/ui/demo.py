"""Demo mode (`ndnclient gui --demo`): the in-process virtual card and settings of its own,
for helpdesk training and screenshots. Nothing touches the user's real settings or reader."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from ndnclient.card.connection import ReaderBackend
from ndnclient.fileio import atomic_write
from ndnclient.settings.notices import Notice
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService
from ndnclient.settings.store import SettingsStore
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend, VirtualReaderSet
from ndnclient.simulator.state import (
    StateFileError,
    VirtualCardState,
    create_state,
    load_state,
    save_state,
)

if TYPE_CHECKING:
    from ndnclient.ledger.service import Ledger

log = logging.getLogger(__name__)

DEMO_READER = "ndnclient デモ用リーダー"
# A second reader for the renewal period: the renewed card beside the current one.
RENEWED_READER = "ndnclient デモ用リーダー 2"
RENEWED_CARD_NUMBER = "9392000098765432"
DEMO_KDF_ITERATIONS = 10_000


def demo_folder() -> Path:
    return Path(platformdirs.user_state_dir("ndnclient", appauthor=False)) / "demo"


class DemoCard:
    """The demo's virtual card, its state kept between runs like a real card's."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or demo_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        # What the home page tells the user about the demo's own files (a damaged card).
        self.notices: list[Notice] = []
        self.state, self.card = self._card("card.json")
        # The renewed card (the renewal period: two cards at once), kept out until asked for.
        self.renewed_state, self.renewed = self._card(
            "renewed-card.json", card_number=RENEWED_CARD_NUMBER
        )
        self.backend = VirtualReaderSet([(self.card, DEMO_READER), (self.renewed, RENEWED_READER)])
        self._renewed_reader.remove()

    def _card(self, name: str, **options: Any) -> tuple[VirtualCardState, VirtualGoSignCard]:
        """A card whose state is kept in `name`, made on first use. A damaged file is kept
        under another name and a new card made; where it cannot be kept, or the folder
        cannot be written, the new card lives in memory only and the file stays as it is."""
        path = self.folder / name
        try:
            if not path.exists():
                raise FileNotFoundError(path)
            return self._persistent(load_state(path), path)
        except FileNotFoundError:
            return self._new_card(path, **options)
        except StateFileError as error:
            log.info("demo card state %s unusable: %s", path, error)
            kept = self._keep_damaged(path)
            if kept is None:
                self.notices.append(Notice("demo.state_not_kept", {"path": str(path)}))
                state = create_state(kdf_iterations=DEMO_KDF_ITERATIONS, **options)
                return state, VirtualGoSignCard(state)
            self.notices.append(Notice("demo.state_replaced", {"path": str(kept)}))
            return self._new_card(path, **options)

    def _new_card(self, path: Path, **options: Any) -> tuple[VirtualCardState, VirtualGoSignCard]:
        state = create_state(kdf_iterations=DEMO_KDF_ITERATIONS, **options)
        try:
            save_state(state, path)
        except OSError as error:
            log.info("demo card state %s cannot be saved: %s", path, error)
            return state, VirtualGoSignCard(state)  # the demo still works, for this run
        return self._persistent(state, path)

    @staticmethod
    def _persistent(
        state: VirtualCardState, path: Path
    ) -> tuple[VirtualCardState, VirtualGoSignCard]:
        # The state is the card's own, kept up to date by the card.
        return state, VirtualGoSignCard(state, on_state_change=lambda s: save_state(s, path))

    @staticmethod
    def _keep_damaged(path: Path) -> Path | None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
        try:
            os.replace(path, kept)
        except OSError as error:
            log.info("could not keep the damaged demo card state: %s", error)
            return None
        return kept

    @property
    def _reader(self) -> VirtualReaderBackend:
        return self.backend.reader(DEMO_READER)

    @property
    def _renewed_reader(self) -> VirtualReaderBackend:
        return self.backend.reader(RENEWED_READER)

    def backend_factory(self) -> ReaderBackend:
        return self.backend

    @property
    def inserted(self) -> bool:
        return self._reader.card_present

    @property
    def renewed_inserted(self) -> bool:
        return self._renewed_reader.card_present

    def toggle(self) -> None:
        """Pull the card out, or put it back in."""
        _toggle(self._reader)

    def toggle_renewed(self) -> None:
        """Put the renewed card into the second reader, or pull it out."""
        _toggle(self._renewed_reader)

    def open_ledger(self) -> Ledger:
        """The demo's own lending ledger, a file in the demo's folder: lendings made for
        training never reach the user's real ledger (nor NDNCLIENT_DATA_DIR's)."""
        from ndnclient.ledger.service import Ledger
        from ndnclient.ledger.sqlite_store import LEDGER_FILE, OUTBOX_FILE, SqliteStore

        return Ledger(
            SqliteStore(self.folder / LEDGER_FILE), outbox=SqliteStore(self.folder / OUTBOX_FILE)
        )

    def settings_service(self) -> SettingsService:
        """Settings of the demo's own, with no IT policy.

        The demo card's certificate comes from a test CA of its own, which these settings
        (and only these) trust, so the operation check's chain check (G09) passes as it
        would with a real card; the LDAP check (G04) still meets the real network."""
        service = SettingsService(SettingsStore(self.folder / "config"), Policy())
        settings, _ = service.load()
        anchors = list(settings.trust_anchor_files)
        for name, state in (("demo-ca.der", self.state), ("demo-ca-2.der", self.renewed_state)):
            anchor = self.folder / name
            atomic_write(anchor, state.ca_certificate_der)
            if str(anchor) not in anchors:
                anchors.append(str(anchor))
        if anchors != list(settings.trust_anchor_files):
            service.set("trust.anchor_files", anchors)
        return service


def _toggle(reader: VirtualReaderBackend) -> None:
    if reader.card_present:
        reader.remove()
    else:
        reader.insert()
