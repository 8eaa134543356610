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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ndnclient
from ndnclient.card.info import format_card_number
from ndnclient.card.status import JAPAN_TIME
from ndnclient.diagnostics.catalogue import code_label
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
    demo: bool = False  # the GUI's demo mode: an in-process virtual card, no real one
    # Where each setting's value came from (settings.service.Source's values): IT's lock
    # is what the helpdesk must know before asking a user to change something.
    setting_sources: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_run(
        cls, results: Sequence[CheckResult], context: CheckContext, *, demo: bool = False
    ) -> CheckReport:
        """The report of a run: its results, and the readers and cards it found."""
        from ndnclient.card.choice import card_label

        info = context.card.info
        return cls(
            results=list(results),
            generated_at=datetime.now(UTC),
            readers=list(context.card.readers),
            settings=dict(context.settings.values),
            card_number=info.card_number_display if info else None,
            other_cards=[card_label(card) for card in context.card.others],
            demo=demo,
            setting_sources={key: source.value for key, source in context.settings.sources.items()},
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
            "mode": "demo" if self.demo else "real",
            "settings": dict(self.settings),
            "setting_sources": dict(self.setting_sources),
            "generated_at": in_japan(self.generated_at).isoformat(timespec="seconds"),
        }


def in_japan(moment: datetime) -> datetime:
    """The moment on a clock in Japan, whatever time zone this PC is set to. A fixed +09:00
    (card/status.py's JAPAN_TIME), not zoneinfo: Japan has no daylight saving time, so the
    offset is exact, and the frozen Windows program has no time-zone database (tzdata is
    not a dependency)."""
    return moment.astimezone(JAPAN_TIME)


def japan_time(moment: datetime, messages: Messages) -> str:
    """2026-11-30 19:06（日本時間）: said as such, so nobody has to guess the zone."""
    return messages.text("report.japan_time", time=f"{in_japan(moment):%Y-%m-%d %H:%M}")


def os_name(system: str | None = None) -> str:
    """The OS as its user would name it: "Windows 11 Professional (10.0.22631, AMD64)". Python
    before 3.12 calls Windows 11 "10"; its build number (22000 and later) tells them apart.

    This PC's is asked once and kept: on Windows, Python asks `cmd /c ver`, a program start
    that must not happen on the GUI thread each time a report is copied (the window's
    warm-up asks it first, in the background)."""
    return _named_os(system) if system is not None else _this_os_name()


@cache
def _this_os_name() -> str:
    return _named_os(platform.system())


def _named_os(system: str) -> str:
    machine = platform.machine()
    if system == "Windows":
        release, version, _service_pack, _kind = platform.win32_ver()
        build = version.rsplit(".", 1)[-1]
        if release == "10" and build.isdigit() and int(build) >= 22000:
            release = "11"
        edition = platform.win32_edition() or ""
        name = " ".join(part for part in ("Windows", release, edition) if part)
        return f"{name} ({version}, {machine})" if version else name
    if system == "Linux":
        try:
            pretty = platform.freedesktop_os_release().get("PRETTY_NAME", "")
        except OSError:
            pretty = ""
        if pretty:
            return f"{pretty}, {machine}"
    return platform.platform()


def system_facts() -> dict[str, str]:
    return {
        "os": platform.platform(),
        "os_name": os_name(),
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
    code = code_label(messages, result.code, result.status)  # 動作確認エラー only for a failure
    lines = [f"{symbol} {code} [{label}] {result.title}: {result.detail}"]
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


PROBLEM_STATUSES = (CheckStatus.FAIL, CheckStatus.WARN)


def problems_and_others(report: CheckReport) -> tuple[list[CheckResult], list[CheckResult]]:
    """Every row, in the order a reader wants them: errors, then warnings (each by code),
    then the rest by code. Nothing is left out: an unchecked row says why."""
    problems = sorted(
        (r for r in report.results if r.status in PROBLEM_STATUSES),
        key=lambda r: (STATUS_ORDER.index(r.status), r.code),
    )
    others = sorted((r for r in report.results if r.status not in PROBLEM_STATUSES), key=_code)
    return problems, others


def _code(result: CheckResult) -> str:
    return result.code


def about_rows(report: CheckReport, messages: Messages) -> list[tuple[str, str]]:
    """When, which program on which system, demo or not, which card: the first thing the
    helpdesk asks."""
    t = messages.text
    rows = [
        (t("check.generated_at"), japan_time(report.generated_at, messages)),
        (t("report.app"), f"ndnclient {ndnclient.__version__}"),
        (t("report.os"), os_name()),
        (t("report.mode"), t("report.mode_demo" if report.demo else "report.mode_real")),
    ]
    if report.card_number:
        rows.append((t("check.card_number"), report.card_number))
    if report.other_cards:
        rows.append((t("check.other_cards"), ", ".join(report.other_cards)))
    return rows


def _results_lines(report: CheckReport, messages: Messages) -> list[str]:
    """The problems with what to do, then one line for each other row."""
    t = messages.text
    problems, others = problems_and_others(report)
    lines: list[str] = []
    if problems:
        lines += ["", f"{t('report.problems')}:"]
        for result in problems:
            lines += format_result_lines(result, messages)
    if others:
        lines += ["", f"{t('report.others')}:"]
        lines += [format_result_lines(result, messages)[0] for result in others]
    return lines


def helpdesk_text(report: CheckReport, messages: Messages, *, stopped: bool = False) -> str:
    """The text to paste into a message or read out on the phone: when, which program,
    system and card, the verdict and the codes, the problems with what to do, then one line
    for each other row. (The settings are in the saved report.)"""
    lines = [messages.text("check.report_title")]
    lines += [f"{name}: {value}" for name, value in about_rows(report, messages)]
    lines.append("")
    if stopped:
        lines.append(messages.text("check.stopped"))
    lines += summary_lines(report, messages)
    lines += _results_lines(report, messages)
    return "\n".join(lines) + "\n"


def to_text(report: CheckReport, messages: Messages) -> str:
    t = messages.text
    lines = [t("check.report_title")]
    lines += [f"{name}: {value}" for name, value in about_rows(report, messages)]
    lines.append(f"{t('check.readers')}: {', '.join(report.readers) or t('report.none')}")
    lines += ["", *summary_lines(report, messages)]
    lines += _results_lines(report, messages)
    lines += ["", f"{t('check.settings')}:"]
    for shown in shown_settings(report, messages):
        source = t("report.from_source", source=shown.source) if shown.source else ""
        if shown.text:
            lines.append(f"  {shown.title}{source}: {shown.text}")
            continue
        lines.append(f"  {shown.title}{source}:")
        lines += [f"    - {item}" for item in shown.items]
        lines += [f"    - {'  '.join(card)}" for card in shown.cards]
    return "\n".join(lines) + "\n"


# --- the settings in words -----------------------------------------------------------------


@dataclass(frozen=True)
class ShownSetting:
    """One setting as a person reads it: a sentence, a list, or the registered cards'
    table (number, validity, name); never a program's notation of the value."""

    title: str
    text: str = ""
    items: tuple[str, ...] = ()
    cards: tuple[tuple[str, str, str], ...] = ()
    source: str = ""  # 既定値 / 利用者の設定 / IT が固定 ...


def plain_value(value: Any, messages: Messages) -> str:
    """Any value in words: 「設定なし」 for nothing, はい/いいえ, lists joined."""
    t = messages.text
    if value is None or value == "":
        return t("report.not_set")
    if isinstance(value, bool):
        return t("report.yes" if value else "report.no")
    if isinstance(value, Mapping):
        parts = [f"{key}: {plain_value(item, messages)}" for key, item in value.items()]
        return t("report.separator").join(parts) or t("report.none")
    if isinstance(value, list | tuple):
        joined = t("report.separator").join(plain_value(item, messages) for item in value)
        return joined or t("report.none")
    return str(value)


def _choice(value: Any, messages: Messages) -> str:
    name = f"report.choice.{value}"
    return messages.text(name) if isinstance(value, str) and messages.has(name) else str(value)


def _card_row(entry: Any, messages: Messages) -> tuple[str, str, str]:
    if not isinstance(entry, Mapping):
        return (plain_value(entry, messages), "", "")
    number = str(entry.get("card_number", ""))
    period = messages.text(
        "report.period", start=entry.get("valid_from", ""), end=entry.get("valid_to", "")
    )
    label = str(entry.get("label") or messages.text("report.no_label"))
    shown = format_card_number(number) if number.isdigit() else number
    return (shown, period, label)


def shown_setting(key: str, value: Any, messages: Messages, source: str = "") -> ShownSetting:
    t = messages.text
    title_key = f"report.setting.{key}"
    title = t(title_key) if messages.has(title_key) else key
    shown = ShownSetting(title=title, source=source)
    if key == "cards" and isinstance(value, list) and value:
        return replace(shown, cards=tuple(_card_row(entry, messages) for entry in value))
    if key == "ldap.url" and not value:
        return replace(shown, text=t("report.choice.ldap_url_unset"))
    if key == "proxy.url" and not value:
        return replace(shown, text=t("report.choice.proxy_unset"))
    if key in ("verification_method", "language"):
        return replace(shown, text=_choice(value, messages))
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if key.endswith("_timeout") and is_number:
        return replace(shown, text=t("report.seconds", seconds=value))
    if isinstance(value, list) and value:
        return replace(shown, items=tuple(plain_value(item, messages) for item in value))
    return replace(shown, text=plain_value(value, messages))


def shown_settings(report: CheckReport, messages: Messages) -> list[ShownSetting]:
    """The settings in force, each with its title and where its value came from."""
    shown = []
    for key, value in report.settings.items():
        source = report.setting_sources.get(key, "")
        source_key = f"settings.source.{source}"
        source_text = messages.text(source_key) if source and messages.has(source_key) else ""
        shown.append(shown_setting(key, value, messages, source_text))
    return shown


def _facts_html(value: Any, messages: Messages) -> str:
    """The technical facts as nested tables and lists, every value in words."""
    e = html.escape
    if isinstance(value, Mapping) and value:
        rows = "".join(
            f"<tr><th>{e(str(key))}</th><td>{_facts_html(item, messages)}</td></tr>"
            for key, item in value.items()
        )
        return f"<table class='facts'>{rows}</table>"
    if isinstance(value, list | tuple) and value:
        items = "".join(f"<li>{_facts_html(item, messages)}</li>" for item in value)
        return f"<ul>{items}</ul>"
    return e(plain_value(value, messages))


def _technical_html(results: Sequence[CheckResult], messages: Messages) -> str:
    """What each check found, for the helpdesk: folded, one per check, after everything a
    user reads (the rows above stay short)."""
    e = html.escape
    parts = []
    for result in results:
        elapsed = e(messages.text("report.elapsed", ms=result.elapsed_ms))
        facts = _facts_html(dict(result.facts), messages) if result.facts else ""
        parts.append(
            f"<details><summary>{e(result.code)} {e(result.title)}</summary>"
            f"<div>{elapsed}</div>{facts}</details>\n"
        )
    return "".join(parts)


def _result_row(result: CheckResult, messages: Messages) -> str:
    e = html.escape
    colour, symbol = STATUS_STYLE[result.status]
    remedy = f"<div class='remedy'>{e(result.remedy)}</div>" if result.remedy else ""
    facts_html = ""  # at the page's end (_technical_html)
    return (
        f"<tr><td class='status' style='color:{colour}'>{symbol} "
        f"{e(status_label(result.status, messages))}</td>"
        f"<td class='code'>{e(code_label(messages, result.code, result.status))}</td>"
        f"<td><strong>{e(result.title)}</strong>"
        f"<div>{e(result.detail)}</div>{remedy}{facts_html}</td></tr>\n"
    )


def _results_table(results: Sequence[CheckResult], messages: Messages) -> str:
    t = messages.text
    e = html.escape
    rows = "".join(_result_row(result, messages) for result in results)
    return (
        f"<table class='results'><thead><tr><th>{e(t('check.column_status'))}</th>"
        f"<th>{e(t('check.column_code'))}</th><th>{e(t('check.column_result'))}</th>"
        f"</tr></thead><tbody>\n{rows}</tbody></table>"
    )


def _setting_html(shown: ShownSetting, messages: Messages) -> str:
    t = messages.text
    e = html.escape
    if shown.cards:
        head = "".join(
            f"<th>{e(t(name))}</th>"
            for name in ("report.card_number", "report.validity", "report.label")
        )
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in card) + "</tr>"
            for card in shown.cards
        )
        return f"<table class='cards'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if shown.items:
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in shown.items) + "</ul>"
    return e(shown.text)


def _settings_table(report: CheckReport, messages: Messages) -> str:
    t = messages.text
    e = html.escape
    rows = "".join(
        f"<tr><th>{e(shown.title)}</th><td>{_setting_html(shown, messages)}</td>"
        f"<td class='source'>{e(shown.source)}</td></tr>\n"
        for shown in shown_settings(report, messages)
    )
    return (
        f"<table class='settings'><thead><tr><th>{e(t('report.column_setting'))}</th>"
        f"<th>{e(t('report.column_value'))}</th><th>{e(t('report.column_source'))}</th>"
        f"</tr></thead><tbody>\n{rows}</tbody></table>"
    )


REPORT_STYLE = """
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Yu Gothic UI", "Meiryo", "Noto Sans CJK JP", sans-serif; margin: 2em;
       max-width: 60em; color: #202124; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; margin-top: 0.6em; }
td, th { border: 1px solid #dadce0; padding: 0.35em 0.6em; vertical-align: top;
         text-align: left; }
th { background: #f1f3f4; font-weight: bold; }
table.about th, table.settings tbody th { width: 14em; }
.status { white-space: nowrap; font-weight: bold; }
.code { white-space: nowrap; }
.source { white-space: nowrap; color: #5f6368; }
.remedy { margin-top: 0.3em; padding-left: 0.8em; border-left: 3px solid #a15c00; }
.summary { font-size: 1.2em; font-weight: bold; }
details { margin-top: 0.3em; color: #5f6368; font-size: 0.9em; }
table.facts, table.cards { margin-top: 0.2em; width: auto; }
table.cards td { white-space: nowrap; }
table.cards td:last-child { white-space: normal; }
table.facts th { background: none; font-weight: normal; width: auto; }
ul { margin: 0; padding-left: 1.4em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
}
"""


def to_html(report: CheckReport, messages: Messages) -> str:
    """A page that needs nothing else to open (styles inline, no scripts, no links out), every
    value escaped, A4 when printed: the verdict and the codes, which program, system and card,
    the problems with what to do, the other rows, then the settings in words."""
    t = messages.text
    e = html.escape
    codes = " ".join(report.codes_to_tell(messages))
    about = "".join(
        f"<tr><th>{e(name)}</th><td>{e(value)}</td></tr>\n"
        for name, value in [
            *about_rows(report, messages),
            (t("check.readers"), ", ".join(report.readers) or t("report.none")),
        ]
    )
    problems, others = problems_and_others(report)
    problems_html = (
        _results_table(problems, messages) if problems else f"<p>{e(t('report.no_problems'))}</p>"
    )
    others_html = (
        f"<h2>{e(t('report.others'))}</h2>\n{_results_table(others, messages)}\n" if others else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{e(messages.lang)}"><head><meta charset="utf-8">
<title>{e(t("check.report_title"))}</title>
<style>{REPORT_STYLE}</style></head><body>
<h1>{e(t("check.report_title"))}</h1>
<p class="summary">{e(report.summary(messages))}</p>
<p class="codes">{e(codes)}</p>
<table class="about">
{about}</table>
<h2>{e(t("report.problems"))}</h2>
{problems_html}
{others_html}<h2>{e(t("check.settings"))}</h2>
{_settings_table(report, messages)}
<h2>{e(t("check.facts"))}</h2>
{_technical_html([*problems, *others], messages)}</body></html>
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
