"""Actions more than one page offers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import NotGoSignCardError
from ndnclient.card.operations import read_chosen_card
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.status import CardStatus, today_in_japan
from ndnclient.settings.cards import RegisteredCard, Registration
from ndnclient.settings.service import Settings
from ndnclient.ui.services import Services


def register_inserted_card(
    services: Services,
    owner: QObject,
    on_done: Callable[[Registration], None],
    on_error: Callable[[BaseException], None],
    label: str = "",
) -> None:
    """Read the card in use (card thread), register it (background), then tell every page
    (the settings hub) and `on_done` (GUI thread)."""

    choice = services.card.card_choice  # the card in use (the selector's)

    def read(backend: ReaderBackend) -> CardStatus:
        return read_chosen_card(backend, reader_filter_from_env(), choice)

    def save(status: CardStatus) -> None:
        if status.info is None:
            on_error(NotGoSignCardError("no card information was read"))
            return
        info = status.info
        card = RegisteredCard(info.card_number, info.valid_from, info.valid_to, label)
        service = services.settings_service

        def work() -> tuple[Registration, Settings]:
            registration = service.register_card(card, today_in_japan())
            return registration, service.load()[0]

        def saved(result: tuple[Registration, Settings]) -> None:
            services.settings.update(result[1])
            on_done(result[0])

        services.tasks.run(work, saved, on_error, owner=owner)

    services.card.run_job(read, save, on_error, owner=owner)
