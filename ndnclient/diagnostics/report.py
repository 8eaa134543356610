"""The operation check's report: text (to read out or paste), JSON (for scripts) and HTML
(a self-contained page the helpdesk can open). It holds the app version, the OS, the readers,
the settings in force and every result; never a PIN, an unlock code or a password (none of
them is in the settings, the results or the facts to begin with)."""

from __future__ import annotations

import html
import json
import platform
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ndnclient
from ndnclient.diagnostics.model import CheckResult, CheckStatus
from ndnclient.errors import UserFacingError
from ndnclient.fileio import atomic_write
from ndnclient.messages import Messages

if TYPE_CHECKING:
    from ndnclient.diagnostics.context import CheckContext

STATUS_ORDER = (
    CheckStatus.FAIL,
    CheckStatus.WARN,
    CheckStatus.OK,
    CheckStatus.SKIPPED,
    CheckStatus.NOT_APPLICABLE,
)
# Colours and a symbol each: the status never rests on colour alone.
STATUS_STYLE = {
    CheckStatus.OK: ("#1b7f3b", "✔"),
    CheckStatus.WARN: ("#a15c00", "▲"),
    CheckStatus.FAIL: ("#b3261e", "✖"),
    CheckStatus.SKIPPED: ("#5f6368", "－"),
    CheckStatus.NOT_APPLICABLE: ("#5f6368", "○"),
}


@dataclass(frozen=True)
class CheckReport:
    results: Sequence[CheckResult]
    generated_at: datetime
    readers: Sequence[str] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    card_number: str | None = None  # the card examined, 4-4-4-4
    # Other cards inserted at the time (4-4-4-4, or the reader of one that was not read).
    other_cards: Sequence[str] = ()

    @classmethod
    def of_run(cls, results: Sequence[CheckResult], context: CheckContext) -> CheckReport:
        """The report of a run: its results, and the readers and cards it found."""
        from ndnclient.card.choice import card_label

        info = context.card.info
        return cls(
            results=list(results),
            generated_at=datetime.now(UTC).astimezone(),
            readers=list(context.card.readers),
            settings=dict(context.settings.values),
            card_number=info.card_number_display if info else None,
            other_cards=[card_label(card) for card in context.card.others],
        )

    @property
    def failed(self) -> bool:
        return any(r.status is CheckStatus.FAIL for r in self.results)

    def counts(self) -> dict[str, int]:
        counted = Counter(r.status for r in self.results)
        return {status.value: counted.get(status, 0) for status in STATUS_ORDER}

    def summary(self, messages: Messages) -> str:
        counts = self.counts()
        fails, warns = counts["fail"], counts["warn"]
        if fails and warns:
            return messages.text("check.summary_problems", fails=fails, warns=warns)
        if fails:
            return messages.text("check.summary_fails", fails=fails)
        if warns:
            return messages.text("check.summary_warns", warns=warns)
        return messages.text("check.summary_ok")

    def codes_to_tell(self, messages: Messages) -> list[str]:
        """The codes the helpdesk asks for: 動作確認エラー:G04 and the like."""
        return [
            messages.text("check.code", code=r.code)
            for r in self.results
            if r.status is CheckStatus.FAIL
        ]

    def to_json(self, messages: Messages) -> dict[str, Any]:
        return {
            "results": [r.to_json() for r in self.results],
            "summary": {**self.counts(), "failed": self.failed, "text": self.summary(messages)},
            "app": {"name": "ndnclient", "version": ndnclient.__version__},
            "system": system_facts(),
            "readers": list(self.readers),
            "card_number": self.card_number,
            "other_cards": list(self.other_cards),
            "settings": dict(self.settings),
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
        }


def system_facts() -> dict[str, str]:
    return {
        "os": platform.platform(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "frozen": str(bool(getattr(sys, "frozen", False))).lower(),
        "utf8_mode": str(bool(sys.flags.utf8_mode)).lower(),
    }


def status_label(status: CheckStatus, messages: Messages) -> str:
    return messages.text(f"check.status.{status.value}")


def format_result_lines(result: CheckResult, messages: Messages) -> list[str]:
    """One result for the terminal and the text report: the verdict, then what to do."""
    symbol = STATUS_STYLE[result.status][1]
    label = status_label(result.status, messages)
    lines = [f"{symbol} {result.code} [{label}] {result.title}: {result.detail}"]
    if result.remedy:
        lines.append(f"    → {result.remedy}")
    return lines


def summary_lines(report: CheckReport, messages: Messages) -> list[str]:
    """What the terminal prints after the results: the verdict in words, then the codes to
    tell the helpdesk (動作確認エラー:G04 ...), if any."""
    lines = [report.summary(messages)]
    codes = report.codes_to_tell(messages)
    if codes:
        lines.append(" ".join(codes))
    return lines


def helpdesk_text(report: CheckReport, messages: Messages, *, stopped: bool = False) -> str:
    """A short text to paste into a message or read out on the phone: when, the verdict and
    the codes, which card, and one line per problem."""
    t = messages.text
    lines = [f"{t('check.report_title')} {report.generated_at:%Y-%m-%d %H:%M}"]
    if stopped:
        lines.append(t("check.stopped"))
    lines += summary_lines(report, messages)
    if report.card_number:
        lines.append(f"{t('check.card_number')}: {report.card_number}")
    if report.other_cards:
        lines.append(f"{t('check.other_cards')}: {', '.join(report.other_cards)}")
    lines += [
        format_result_lines(result, messages)[0]
        for result in report.results
        if result.status in (CheckStatus.FAIL, CheckStatus.WARN)
    ]
    return "\n".join(lines) + "\n"


def to_text(report: CheckReport, messages: Messages) -> str:
    t = messages.text
    lines = [
        t("check.report_title"),
        f"{t('check.generated_at')}: {report.generated_at.isoformat(timespec='seconds')}",
        f"ndnclient {ndnclient.__version__} / {system_facts()['os']}",
        f"{t('check.readers')}: {', '.join(report.readers) or '-'}",
    ]
    if report.card_number:
        lines.append(f"{t('check.card_number')}: {report.card_number}")
    if report.other_cards:
        lines.append(f"{t('check.other_cards')}: {', '.join(report.other_cards)}")
    lines += ["", *summary_lines(report, messages), ""]
    for result in report.results:
        lines += format_result_lines(result, messages)
    lines += ["", f"{t('check.settings')}:"]
    lines += [f"  {key} = {value}" for key, value in report.settings.items()]
    return "\n".join(lines) + "\n"


def to_html(report: CheckReport, messages: Messages) -> str:
    """A page that needs nothing else to open: styles inline, every value escaped."""
    t = messages.text
    e = html.escape
    rows = []
    for result in report.results:
        colour, symbol = STATUS_STYLE[result.status]
        remedy = f"<div class='remedy'>{e(result.remedy)}</div>" if result.remedy else ""
        facts_html = ""
        if result.facts:
            dumped = json.dumps(dict(result.facts), ensure_ascii=False, indent=1, default=str)
            facts_html = (
                f"<details><summary>{e(t('check.facts'))}</summary><pre>{e(dumped)}</pre></details>"
            )
        rows.append(
            f"<tr><td class='status' style='color:{colour}'>{symbol} "
            f"{e(status_label(result.status, messages))}</td>"
            f"<td class='code'>{e(result.code)}</td><td><strong>{e(result.title)}</strong>"
            f"<div>{e(result.detail)}</div>{remedy}{facts_html}</td>"
            f"<td class='ms'>{result.elapsed_ms} ms</td></tr>"
        )
    settings_rows = "".join(
        f"<tr><td>{e(key)}</td><td>{e(str(value))}</td></tr>"
        for key, value in report.settings.items()
    )
    codes = " ".join(report.codes_to_tell(messages))
    system = system_facts()
    other_cards_row = ""
    if report.other_cards:
        others = ", ".join(report.other_cards)
        other_cards_row = f"<tr><th>{e(t('check.other_cards'))}</th><td>{e(others)}</td></tr>\n"
    return f"""<!DOCTYPE html>
<html lang="{e(messages.lang)}"><head><meta charset="utf-8">
<title>{e(t("check.report_title"))}</title>
<style>
body {{ font-family: "Yu Gothic UI", "Meiryo", "Noto Sans CJK JP", sans-serif; margin: 2em;
       color: #202124; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1em; }}
td, th {{ border: 1px solid #dadce0; padding: 0.4em 0.6em; vertical-align: top; }}
th {{ background: #f1f3f4; text-align: left; }}
.status {{ white-space: nowrap; font-weight: bold; }}
.code {{ font-family: monospace; white-space: nowrap; }}
.ms {{ white-space: nowrap; color: #5f6368; }}
.remedy {{ margin-top: 0.3em; padding-left: 0.8em; border-left: 3px solid #a15c00; }}
.summary {{ font-size: 1.2em; font-weight: bold; }}
</style></head><body>
<h1>{e(t("check.report_title"))}</h1>
<p class="summary">{e(report.summary(messages))}</p>
<p>{e(codes)}</p>
<table>
<tr><th>{e(t("check.generated_at"))}</th><td>{e(report.generated_at.isoformat(timespec="seconds"))}</td></tr>
<tr><th>ndnclient</th><td>{e(ndnclient.__version__)}</td></tr>
<tr><th>OS</th><td>{e(system["os"])}</td></tr>
<tr><th>{e(t("check.readers"))}</th><td>{e(", ".join(report.readers) or "-")}</td></tr>
<tr><th>{e(t("check.card_number"))}</th><td>{e(report.card_number or "-")}</td></tr>
{other_cards_row}</table>
<table>
<tr><th>{e(t("check.column_status"))}</th><th>{e(t("check.column_code"))}</th>
<th>{e(t("check.column_result"))}</th><th>{e(t("check.column_time"))}</th></tr>
{"".join(rows)}
</table>
<h2>{e(t("check.settings"))}</h2>
<table>{settings_rows}</table>
</body></html>
"""


class ReportWriteError(UserFacingError):
    """The report file could not be written; the results are still on screen."""

    message_key = "check.report_failed"


def render_report(path: Path, report: CheckReport, messages: Messages) -> str:
    """The report in the format the file's name asks for: .html/.htm, .json, else text."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return to_html(report, messages)
    if suffix == ".json":
        return json.dumps(report.to_json(messages), ensure_ascii=False, indent=2) + "\n"
    return to_text(report, messages)


def write_report(path: Path, report: CheckReport, messages: Messages) -> None:
    """Write the report atomically: a file that was there before survives a failed write."""
    content = render_report(path, report, messages)
    try:
        atomic_write(path, content.encode("utf-8"))
    except OSError as error:
        raise ReportWriteError(
            f"could not write {path}: {error}", path=str(path), detail=error.strerror or str(error)
        ) from None
