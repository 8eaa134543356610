"""Command-line commands for the settings: `settings ...`, `urls ...` and `renewal plan`.

`ndnclient.cli` builds the parser and calls `add_commands`; handlers get the parsed
arguments, the messages and the settings service (loaded once by the main).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ndnclient.card.status import today_in_japan
from ndnclient.cli_support import EXIT_OK, EXIT_PROBLEM, UsageError, print_json
from ndnclient.messages import Messages
from ndnclient.renewal import first_valid_from, plan_renewal
from ndnclient.settings import secrets
from ndnclient.settings.keys import KEYS
from ndnclient.settings.service import Settings, SettingsService, Source


def _iso_date(text: str) -> date:
    """A date as YYYY-MM-DD, within years a card can have (argparse reports the rest)."""
    day = date.fromisoformat(text)
    if not 1900 <= day.year <= 9998:
        raise ValueError(text)
    return day


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
) -> None:
    settings = commands.add_parser(
        "settings", parents=[common], help="show and change the settings"
    )
    actions = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[common], help="every setting and its source")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_settings_show)
    set_ = actions.add_parser(
        "set", parents=[common], help="set KEY to VALUE (JSON if it parses as JSON)"
    )
    set_.add_argument("key", choices=list(KEYS), metavar="KEY")
    set_.add_argument("value", metavar="VALUE")
    set_.set_defaults(handler=cmd_settings_set)
    unset = actions.add_parser("unset", parents=[common], help="back to IT's preset or the default")
    unset.add_argument("key", choices=list(KEYS), metavar="KEY")
    unset.set_defaults(handler=cmd_settings_unset)
    export = actions.add_parser("export", parents=[common], help="write the settings to FILE")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=cmd_settings_export)
    import_ = actions.add_parser("import", parents=[common], help="read the settings from FILE")
    import_.add_argument("file", type=Path)
    import_.set_defaults(handler=cmd_settings_import)
    proxy = actions.add_parser(
        "proxy-password",
        parents=[common],
        help="store or clear the proxy password (in the keyring)",
    )
    proxy.add_argument("proxy_action", choices=["set", "clear"])
    proxy.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (never from arguments)",
    )
    proxy.set_defaults(handler=cmd_proxy_password)

    urls = commands.add_parser("urls", parents=[common], help="the allowed URL list")
    url_actions = urls.add_subparsers(dest="urls_command", metavar="ACTION", required=True)
    listing = url_actions.add_parser("list", parents=[common])
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_urls_list)
    for name, handler in (("add", cmd_urls_add), ("remove", cmd_urls_remove)):
        action = url_actions.add_parser(name, parents=[common])
        action.add_argument("url")
        action.set_defaults(handler=handler)

    renewal = commands.add_parser("renewal", parents=[common], help="renewal planning")
    renewal_actions = renewal.add_subparsers(
        dest="renewal_command", metavar="ACTION", required=True
    )
    plan = renewal_actions.add_parser(
        "plan", parents=[common], help="reminder, apply-by and new validity"
    )
    plan.add_argument(
        "--valid-to",
        type=_iso_date,
        help="the current card's last valid day (default: the registered card)",
    )
    plan.add_argument(
        "--received",
        type=_iso_date,
        help="the day the issuer receives the application (default: apply-by)",
    )
    plan.add_argument(
        "--first-use",
        type=_iso_date,
        help="a first application: the first day of real use",
    )
    plan.add_argument(
        "--test-from",
        type=_iso_date,
        help="with --first-use: the first day of a test period before it",
    )
    plan.add_argument("--json", action="store_true")
    plan.set_defaults(handler=cmd_renewal_plan)


# --- settings -------------------------------------------------------------------------------

SOURCE_KEYS = {
    Source.DEFAULT: "settings.source.default",
    Source.POLICY: "settings.source.policy",
    Source.USER: "settings.source.user",
    Source.LOCKED: "settings.source.locked",
}


def cmd_settings_show(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    settings: Settings = args.settings
    keyring_name, keyring_usable = secrets.keyring_backend()
    if args.json:
        print_json(
            {
                "settings": dict(settings.values),
                "sources": {key: source.value for key, source in settings.sources.items()},
                "settings_file": str(service.store.path),
                "policy_file": str(service.policy.path) if service.policy.path else None,
                "keyring": {"backend": keyring_name, "usable": keyring_usable},
            },
            sys.stdout,
        )
        return EXIT_OK
    t = messages.text
    width = max(len(key) for key in KEYS)
    for key, value in settings.values.items():
        shown = json.dumps(value, ensure_ascii=False)
        print(f"{key.ljust(width)}  {shown}  ({t(SOURCE_KEYS[settings.sources[key]])})")
    print(
        t(
            "settings.paths",
            settings_file=service.store.path,
            policy_file=service.policy.path or "-",
        )
    )
    print(
        t(
            "settings.keyring_in_use" if keyring_usable else "settings.keyring_unusable",
            name=keyring_name,
        )
    )
    return EXIT_OK


def parse_cli_value(text: str) -> Any:
    """cli.md: VALUE is JSON when it parses as JSON, else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_settings_set(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    return _report_saved(service.set(args.key, parse_cli_value(args.value)), args.key, messages)


def cmd_settings_unset(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    return _report_saved(service.unset(args.key), args.key, messages)


def _report_saved(settings: Settings, key: str, messages: Messages) -> int:
    value = json.dumps(settings.values[key], ensure_ascii=False)
    print(messages.text("settings.saved", key=key, value=value))
    return EXIT_OK


def cmd_settings_export(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    service.export(args.file)
    print(messages.text("settings.exported", path=args.file))
    return EXIT_OK


def cmd_settings_import(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    result = service.import_(args.file)
    print(messages.text("settings.imported", path=args.file))
    for key in result.skipped_locked:
        print(messages.text("settings.import_skipped_locked", key=key), file=sys.stderr)
    return EXIT_OK


def cmd_proxy_password(args: argparse.Namespace, messages: Messages) -> int:
    settings: Settings = args.settings
    proxy = settings.proxy_url
    if proxy is None:
        raise UsageError(messages.text("settings.proxy_not_set"))
    if args.proxy_action == "clear":
        removed = secrets.delete_proxy_password(proxy)
        print(
            messages.text(
                "settings.proxy_password_cleared" if removed else "settings.proxy_password_none"
            )
        )
        return EXIT_OK
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(messages.text("settings.prompt_proxy_password"))
    else:
        raise UsageError(messages.text("settings.no_terminal_password"))
    if not password:
        raise UsageError(messages.text("settings.empty_password"))
    secrets.set_proxy_password(proxy, password)
    del password
    print(messages.text("settings.proxy_password_saved"))
    return EXIT_OK


# --- the allowed URL list ------------------------------------------------------------------


def cmd_urls_list(args: argparse.Namespace, messages: Messages) -> int:
    settings: Settings = args.settings
    if args.json:
        print_json(
            {"urls": list(settings.urls_allowed), "locked": settings.locked("urls.allowed")},
            sys.stdout,
        )
    elif settings.urls_allowed:
        for url in settings.urls_allowed:
            print(url)
    else:
        print(messages.text("settings.urls_empty"))
    return EXIT_OK


def cmd_urls_add(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    _, origin, added = service.add_url(args.url)
    print(messages.text("settings.url_added" if added else "settings.url_already", url=origin))
    return EXIT_OK


def cmd_urls_remove(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    _, origin, removed = service.remove_url(args.url)
    if not removed:
        print(messages.text("settings.url_not_listed", url=origin), file=sys.stderr)
        return EXIT_PROBLEM
    print(messages.text("settings.url_removed", url=origin))
    return EXIT_OK


# --- renewal -------------------------------------------------------------------------------


def cmd_renewal_plan(args: argparse.Namespace, messages: Messages) -> int:
    t = messages.text
    if args.first_use is not None:
        valid_from = first_valid_from(args.first_use, args.test_from)
        if args.json:
            print_json(
                {"first_application": True, "recommended_valid_from": valid_from.isoformat()},
                sys.stdout,
            )
        else:
            print(t("renewal.first_application", valid_from=valid_from))
        return EXIT_OK
    if args.test_from is not None:
        raise UsageError(t("renewal.test_from_needs_first_use"))
    valid_to = args.valid_to
    if valid_to is None:
        cards = args.settings.cards
        if not cards:
            raise UsageError(t("renewal.no_card"))
        valid_to = max(card.valid_to for card in cards)
    plan = plan_renewal(valid_to, args.received)
    if args.json:
        print_json(
            {**plan.to_json(), "reminder_due": plan.reminder_due(today_in_japan())}, sys.stdout
        )
        return EXIT_OK
    for key, value in (
        ("renewal.valid_to", plan.valid_to),
        ("renewal.remind_from", plan.remind_from),
        ("renewal.apply_by", plan.apply_by),
        ("renewal.renewal_valid_from", plan.renewal_valid_from),
        ("renewal.latest_delivery", plan.latest_delivery),
    ):
        print(t(key, date=value, received=plan.received))
    if not plan.delivered_before_expiry:
        print(t("renewal.late"), file=sys.stderr)
    return EXIT_OK
