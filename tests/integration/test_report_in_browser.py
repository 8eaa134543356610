"""The saved operation-check report as a person sees it: rendered by a real browser (headless
Chromium, the Debian package `chromium` that scripts/setup.sh installs), its visible text
read back and printed to PDF. Only Chromium: the card is the in-process virtual one, so
this file never touches pcscd."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ndnclient.card.jobs import DirectCardAccess
from ndnclient.diagnostics.checks import checks_for
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.diagnostics.report import CheckReport, write_report
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.messages import Messages
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.inprocess import VirtualReaderBackend

CLOSED_LDAP = "ldap://127.0.0.1:1/o=x,c=JP"  # refused at once: G04 fails, offline
CARD_LABEL = "本庁 <契約課> & 分室"
BROWSER_TIMEOUT = 90
# Python's notation of a value, which a person must never meet in the report.
PYTHON_REPRS = ("None", "[]", "{'", "True", "False", "{}")
# The page marks what the browser rendered (innerText: what is shown, not what is hidden in
# a closed <details>) on its root element, so --dump-dom hands it back.
READ_VISIBLE_TEXT = (
    "<script>document.documentElement.setAttribute("
    "'data-visible-text', document.body.innerText);</script>"
)
A4_POINTS = (595, 842)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is missing: this test renders the saved report in it. Install it with "
            "`bash scripts/setup.sh` (Debian package `chromium`)."
        )
    return found


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"  # never the user's own profile
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",  # as root in CI and containers
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
    ]
    environment = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT,
        env=environment,
        check=False,
    )


class RootAttribute(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.value is None:
            self.value = dict(attrs).get(self.name)


class AllText(HTMLParser):
    """Every text node outside <style> and <script>: what a reader could ever see, the
    contents of closed <details> included."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def shown_in_browser(tmp_path: Path, report_file: Path) -> tuple[str, str]:
    """(the text Chromium renders, every text the rendered DOM holds)."""
    probe = tmp_path / f"shown-{report_file.stem}.html"
    page = report_file.read_text(encoding="utf-8")
    probe.write_text(page.replace("</body>", READ_VISIBLE_TEXT + "</body>"), encoding="utf-8")
    done = run_chromium(tmp_path, "--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    root = RootAttribute("data-visible-text")
    root.feed(done.stdout)
    assert root.value, f"Chromium rendered no text: {done.stdout[:500]!r}"
    everything = AllText()
    everything.feed(done.stdout)
    return root.value, "".join(everything.parts)


def run_check_and_save(
    lang: str, tmp_path: Path, virtual_reader: Callable[..., VirtualReaderBackend]
) -> tuple[CheckReport, Path]:
    """A real run on the in-process virtual card with settings of every shape (a card with
    a name needing escapes, a list, an unset value, a set one), saved as HTML."""
    service = SettingsService()
    service.set("ldap.url", CLOSED_LDAP)
    service.set("urls.allowed", ["https://www.e-bisc.go.jp"])
    settings = service.set(
        "cards",
        [
            {
                "card_number": "9392000012345678",
                "valid_from": "2026-04-01",
                "valid_to": "2031-03-31",
                "label": CARD_LABEL,
            }
        ],
    )
    backend = virtual_reader()
    access = DirectCardAccess(lambda: backend)
    context = CheckContext(settings, access, lang=lang)
    try:
        results = CheckRunner(list(checks_for(settings)), context, deadline=30).run()
    finally:
        access.close()
    report = CheckReport.of_run(results, context, demo=True)
    path = tmp_path / f"report-{lang}.html"
    write_report(path, report, Messages(lang))
    return report, path


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_saved_report_as_chromium_shows_it(
    lang: str, tmp_path: Path, virtual_reader: Callable[..., VirtualReaderBackend]
) -> None:
    report, path = run_check_and_save(lang, tmp_path, virtual_reader)
    messages = Messages(lang)
    t = messages.text
    statuses = {result.status for result in report.results}
    assert {CheckStatus.FAIL, CheckStatus.OK, CheckStatus.SKIPPED} <= statuses  # every kind

    visible, everything = shown_in_browser(tmp_path, path)

    for heading in ("check.report_title", "report.problems", "report.others", "check.settings"):
        assert t(heading) in visible, heading
    if lang == "ja":
        assert "動作確認の結果" in visible
        assert "（日本時間）" in visible
    else:
        assert "(Japan time)" in visible
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", visible)
    assert t("report.mode_demo") in visible
    assert "ndnclient " in visible
    assert t("report.os") in visible
    codes = report.codes_to_tell(messages)
    assert codes  # G04 fails: the label the helpdesk asks for is on the page
    for code in codes:
        assert code in visible
    for result in report.results:  # every row, unchecked ones too
        assert result.code in visible
        assert result.title in visible
    # The settings in words and a table, the card's name escaped and shown as typed.
    assert CARD_LABEL in visible
    assert "9392-0000-1234-5678" in visible
    assert t("report.period", start="2026-04-01", end="2031-03-31") in visible
    assert t("report.setting.urls.allowed") in visible
    assert t("report.choice.proxy_unset") in visible
    assert "urls.allowed" not in visible  # keys by their titles
    for notation in PYTHON_REPRS:
        assert notation not in visible, notation
        assert notation not in everything, notation  # the closed technical details too


def test_the_report_prints_on_a4(
    tmp_path: Path, virtual_reader: Callable[..., VirtualReaderBackend]
) -> None:
    _report, path = run_check_and_save("ja", tmp_path, virtual_reader)
    pdf = tmp_path / "report.pdf"
    done = run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert (round(float(width)), round(float(height))) == A4_POINTS
