"""The home page follows the card live, through the card thread and Qt signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytestqt.qtbot import QtBot

from ndnclient.diagnostics.model import CheckResult, CheckStatus
from ndnclient.diagnostics.report import CheckReport
from ndnclient.ui.main_window import MainWindow
from ndnclient.ui.pages.home import FIRST_DAY_STEPS, HomePage
from ndnclient.ui.widgets import BANNER_STYLE


def test_title_names_the_product(gui: Callable[..., Any]) -> None:
    window = gui(lang="en").window
    assert "GoSign" in window.windowTitle()


def test_card_shown_and_followed_without_a_button(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en", card_number="1111222233334444", holder="電子 花子", pin_tries_left=4)
    home, reader = started.window.home, started.reader
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    assert home.holder.text() == "電子 花子"
    assert home.pin_tries.text() == "4 of 10"
    assert home.card_type.text() == "GoSign IC card"
    reader.remove()
    qtbot.waitUntil(lambda: home.card_type.text() == "no card", timeout=3000)
    assert "no card in the reader" in home.verdict.text()
    reader.insert()
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    assert home.problem.isHidden()


def test_the_verdict_line_says_what_matters_most(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en", card_number="1111222233334444", pin_tries_left=2)
    home, reader = started.window.home, started.reader
    qtbot.waitUntil(lambda: "few PIN tries" in home.verdict.text(), timeout=3000)
    assert home.verdict.text().startswith("▲")  # a symbol, not colour alone
    reader.remove()
    # No card is a normal moment of the day: told calmly (ℹ, blue), not as a fault.
    qtbot.waitUntil(lambda: home.verdict.text().startswith("ℹ There is no card"), timeout=3000)


def test_the_verdict_is_ready_only_for_a_registered_card(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    home = started.window.home
    qtbot.waitUntil(lambda: "not registered yet" in home.verdict.text(), timeout=3000)
    home.unregistered.button.click()
    qtbot.waitUntil(lambda: home.verdict.text() == "✔ The card is ready to use.", timeout=3000)


def report_of(*statuses: CheckStatus) -> CheckReport:
    results = [
        CheckResult(f"G{n:02}", status, "title", "detail", "", {}, 0, "outcome")
        for n, status in enumerate(statuses, start=1)
    ]
    return CheckReport(results=results, generated_at=datetime.now(UTC))


def steps_done(home: HomePage) -> list[str]:
    return [step for step in FIRST_DAY_STEPS if home.guide.done[step]]


def test_no_card_is_told_calmly_without_a_code(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    home = started.window.home
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    started.reader.remove()
    qtbot.waitUntil(lambda: home.card_type.text() == "no card", timeout=3000)
    assert home.verdict.text().startswith("ℹ")  # told once, in the verdict line
    assert home.problem.isHidden()
    assert "G02" not in home.verdict.text()
    assert BANNER_STYLE["error"][1] not in home.verdict.styleSheet()
    # The card step is simply to do again: a plain circle, no red anywhere in the guide.
    assert home.guide.marks["card"].text() == "○"
    assert not any(
        BANNER_STYLE[kind][1] in label.styleSheet()
        for label in home.guide.labels.values()
        for kind in ("error", "warn")
    )


def test_the_first_day_steps_tick_from_the_real_state(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en", card_number="1111222233334444")
    window: MainWindow = started.window
    home = window.home
    qtbot.waitUntil(lambda: steps_done(home) == ["card"], timeout=3000)
    assert home.guide.marks["card"].text() == "✔"
    assert home.guide.marks["register"].text() == "○"
    assert "1 of 4 done" in home.guide.heading.text()
    assert home.guide.fold_button.isHidden()  # not foldable before every step is done

    home.unregistered.button.click()  # registers the inserted card in the settings
    qtbot.waitUntil(lambda: steps_done(home) == ["card", "register"], timeout=3000)

    # A failed check does not tick the step, nor one that never reached the card (no card:
    # G02 unchecked); a check of the card with no failure (notes allowed) does.
    window.check.report = report_of(CheckStatus.OK, CheckStatus.FAIL)
    window.show_page("home")
    window.show_page("check")
    window.show_page("home")
    assert steps_done(home) == ["card", "register"]
    window.check.report = report_of(CheckStatus.OK, CheckStatus.SKIPPED, CheckStatus.SKIPPED)
    window.show_page("check")
    window.show_page("home")
    assert steps_done(home) == ["card", "register"]
    window.check.report = report_of(
        CheckStatus.OK, CheckStatus.OK, CheckStatus.OK, CheckStatus.WARN, CheckStatus.SKIPPED
    )
    window.show_page("check")
    window.show_page("home")
    assert steps_done(home) == ["card", "register", "check"]

    settings, _, _ = started.settings_service.add_url("https://www.e-bisc.go.jp")
    window.services.settings.update(settings)
    assert steps_done(home) == list(FIRST_DAY_STEPS)
    assert home.guide.heading.text() == "✔ The first-day steps are all done."

    home.guide.fold_button.click()
    assert home.guide.steps_box.isHidden()
    started.reader.remove()  # a later change does not unfold a guide the user folded
    qtbot.waitUntil(lambda: steps_done(home) == ["check", "urls"], timeout=3000)
    assert home.guide.steps_box.isHidden()
    assert home.guide.fold_button.text() == "Show the steps"

    # Done once on this PC: saved, and the next start shows no guide at all.
    qtbot.waitUntil(
        lambda: started.settings_service.load()[0].values["ui.first_day_done"], timeout=3000
    )
    assert gui(lang="en").window.home.guide.isHidden()


def test_each_step_opens_its_page(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    window: MainWindow = gui(lang="en").window
    for step, page in (("register", "user_info"), ("check", "check"), ("urls", "urls")):
        window.show_page("home")
        window.home.guide.buttons[step].click()
        assert window.current_page_name() == page


def test_the_guide_speaks_japanese(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    home = gui(lang="ja").window.home
    assert home.guide.labels["register"].text() == "2. 「ユーザ情報設定」でカードを登録する"
    assert home.guide.buttons["urls"].text() == "許可URLリストを開く"
