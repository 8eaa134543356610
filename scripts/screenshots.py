"""Render every page of the GUI, in Japanese, on a real X server, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--scale 1.5 [--every-page]] [--lang en]
        [--size 800x600] [--out DIR]

Starts its own Xvfb unless DISPLAY is set (Debian: xvfb, fonts-noto-cjk). The app runs in demo
mode on a fresh virtual card and settings in a temporary folder; the operation check is run
against an LDAP port nobody listens on, so G04 shows its failure as a user would see it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=None, help="render the home page at this scale (1.5)"
    )
    parser.add_argument(
        "--every-page",
        action="store_true",
        help="with --scale: every page at that scale, not only the home page (for a review)",
    )
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="the window's language")
    parser.add_argument(
        "--size", default="1100x720", help="the window's size, WIDTHxHEIGHT (a small one: 800x600)"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where the pictures go (docs/screenshots)"
    )
    args = parser.parse_args()
    width, _, height = args.size.partition("x")
    size = (int(width), int(height))
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    if os.environ.get("DISPLAY"):
        render(args.scale, args.every_page, args.lang, size, args.out)
        return
    from tests.xserver import running_xvfb

    with running_xvfb() as display:
        os.environ["DISPLAY"] = display
        render(args.scale, args.every_page, args.lang, size, args.out)


def render(
    scale: float | None, every_page: bool, lang: str, size: tuple[int, int], out: Path
) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from ndnclient.card.status import today_in_japan
    from ndnclient.settings.cards import RegisteredCard
    from ndnclient.ui.app import GuiApplication
    from ndnclient.ui.demo import DemoCard

    if scale:
        os.environ["QT_SCALE_FACTOR"] = str(scale)
    app = QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="ndnclient-shots-"))
    demo = DemoCard(folder)
    service = demo.settings_service()
    # A repository nobody answers at: the operation check shows G04 as a user would meet it.
    service.set("ldap.url", f"ldap://127.0.0.1:{closed_port()}/o=ndnclient test,c=JP")
    service.set("urls.allowed", ["https://www.e-bisc.go.jp", "https://www.ebs-cloud.fwd.ne.jp"])
    card = demo.state
    service.register_card(
        RegisteredCard(card.card_number, card.valid_from, card.valid_to, "契約課"),
        today_in_japan(),
    )
    gui = GuiApplication(
        app,
        lang=lang,
        backend_factory=demo.backend_factory,
        settings_service=service,
        log_dir=folder / "logs",
    )
    gui.demo = demo  # the demo card's controls show, as in `ndnclient gui --demo`
    # The lending ledger with something in it: a lending of the demo card, in the demo's own
    # ledger (as the page opens it), due back tomorrow at 17:00.
    from datetime import UTC, datetime, timedelta

    from ndnclient.ledger.service import JAPAN

    ledger = demo.open_ledger()
    tomorrow = datetime.now(JAPAN).date() + timedelta(days=1)
    due = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 17, tzinfo=JAPAN)
    ledger.lend(
        card.card_number,
        user="山田 花子",
        purpose="道路補修工事の入札",
        destination="契約課",
        approver="総務課長 田中",
        due=due.astimezone(UTC),
    )
    ledger.close()
    window = gui.start()
    window.resize(*size)
    window.show()

    def wait(seconds: float, until: Callable[[], bool] | None = None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if until is not None and until():
                break
            time.sleep(0.02)

    def shoot(name: str) -> None:
        wait(0.8)  # let the last layout and paint settle
        window.grab().save(str(out / f"{name}.png"))
        print(f"wrote {out / name}.png")

    out.mkdir(parents=True, exist_ok=True)
    home = window.home
    wait(5, lambda: home.status is not None and home.status.info is not None)
    try:
        if scale and not every_page:
            shoot(f"home-scale-{scale:g}")
            return
        shots = [
            ("01-home", "home"),
            ("02-user-info", "user_info"),
            ("03-check", "check"),
            ("04-pin", "pin"),
            ("05-urls", "urls"),
            ("06-settings", "settings"),
            ("07-about", "about"),
            ("13-ledger", "ledger"),
        ]
        for name, page in shots:
            window.show_page(page)
            if page == "check":
                window.check.start()
                wait(30, lambda: not window.check.running and window.check.report is not None)
                if window.check.report is None:
                    raise SystemExit("the operation check did not finish within 30 s")
            if page == "ledger":
                wait(5, lambda: bool(window.ledger.state_labels))
            if page == "pin":
                wait(3, lambda: "10" in window.pin.pin_tries.text())
            shoot(name)
        # 証明書ツール: the CSR form filled in as the CA's FAQ example, then the card's
        # certificate in the viewer.
        window.show_page("cert_tools")
        form = window.cert_tools.csr
        example = {"cn": "www.example.jp", "o": "認証太郎", "l": "渋谷区", "st": "東京都"}
        for field, value in example.items():
            form.entries[field].setText(value)
        form.legal_name.setChecked(True)
        form.key_path.setText("C:/Users/ninsho/Documents/www.example.jp.key")
        form.csr_path.setText("C:/Users/ninsho/Documents/www.example.jp.csr")
        shoot("08-cert-tools")
        viewer = window.cert_tools.viewer
        window.cert_tools.tabs.setCurrentWidget(viewer)
        viewer.show_card()
        wait(10, lambda: "CN=" in viewer.text.toPlainText())
        shoot("09-cert-viewer")
        # The renewal period: the renewed card in a second reader. The window asks which
        # card to use; then the PIN page names the chosen card.
        window.show_page("home")
        window.demo_renewed_button.click()
        selector = window.card_selector
        wait(5, lambda: selector.isVisible() and selector.combo.count() == 3)
        shoot("10-two-cards")
        selector.combo.setCurrentIndex(2)
        selector.combo.activated.emit(2)
        window.show_page("pin")
        wait(5, lambda: window.pin.verify_pin.isEnabled())
        shoot("11-pin-chosen-card")
        # The signature test names the card its PIN goes to.
        window.show_page("check")
        window.check.signature.checkbox.setChecked(True)
        wait(5, lambda: window.check.signature.pin.isEnabled())
        shoot("12-check-sign-test")
    finally:
        gui.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
