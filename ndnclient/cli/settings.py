"""`ndnclient settings show|set|unset|export|import|proxy-password`: the settings in force,
where each value comes from, and the proxy password (kept in the OS keyring, never in a file
or an argument)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ndnclient.cli._common import (
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    check_output_file,
    input_path_argument,
    output_path_argument,
    print_json,
    print_rows,
    require_text,
    stdin_line,
)
from ndnclient.messages import Messages
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.keys import KEYS
from ndnclient.settings.service import Settings, Source


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    settings = add_command(commands, "settings", [common], messages)
    actions = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[common], help=t("cli.help.settings.show"))
    show.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    show.set_defaults(handler=cmd_settings_show)
    set_ = actions.add_parser("set", parents=[common], help=t("cli.help.settings.set"))
    set_.add_argument("key", choices=list(KEYS), metavar="KEY", help=t("cli.help.settings.key"))
    set_.add_argument("value", metavar="VALUE", help=t("cli.help.settings.value"))
    set_.set_defaults(handler=cmd_settings_set)
    unset = actions.add_parser("unset", parents=[common], help=t("cli.help.settings.unset"))
    unset.add_argument("key", choices=list(KEYS), metavar="KEY", help=t("cli.help.settings.key"))
    unset.set_defaults(handler=cmd_settings_unset)
    export = actions.add_parser("export", parents=[common], help=t("cli.help.settings.export"))
    export.add_argument(
        "file", type=output_path_argument, metavar="FILE", help=t("cli.help.settings.file_out")
    )
    export.set_defaults(handler=cmd_settings_export)
    import_ = actions.add_parser("import", parents=[common], help=t("cli.help.settings.import"))
    import_.add_argument(
        "file", type=input_path_argument, metavar="FILE", help=t("cli.help.settings.file_in")
    )
    import_.set_defaults(handler=cmd_settings_import)
    proxy = actions.add_parser(
        "proxy-password", parents=[common], help=t("cli.help.settings.proxy_password")
    )
    proxy.add_argument(
        "proxy_action",
        choices=["set", "clear"],
        metavar="{set,clear}",
        help=t("cli.help.settings.proxy_action"),
    )
    proxy.add_argument(
        "--password-stdin", action="store_true", help=t("cli.help.settings.password_stdin")
    )
    proxy.set_defaults(handler=cmd_proxy_password)


SOURCE_KEYS = {
    Source.DEFAULT: "settings.source.default",
    Source.POLICY: "settings.source.policy",
    Source.USER: "settings.source.user",
    Source.LOCKED: "settings.source.locked",
}


def cmd_settings_show(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.settings import secrets  # the keyring loads only for what needs it

    messages = ctx.messages
    service = ctx.settings_service
    settings = ctx.settings
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
    rows = []
    for key, value in settings.values.items():
        source = t(SOURCE_KEYS[settings.sources[key]])
        rows.append((key, f"{json.dumps(value, ensure_ascii=False)}  ({source})"))
    print_rows(rows, sys.stdout)
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


def parse_cli_value(text: str, key: str) -> Any:
    """docs/cli.md: VALUE is JSON when it parses as JSON, else a string. JSON no setting can
    be (a number past Python's 4,300-digit limit or past 64 bits, brackets nested past a
    few levels, a "\\ud800" escape that no UTF-8 file can hold) is neither: it is refused
    with the sentence a settings file's such value gets (settings/documents.py)."""
    from ndnclient.settings.documents import DocumentError, parse_json_text, value_problem

    try:
        value = parse_json_text(text)
    except DocumentError as error:
        if error.problem is None:
            return text  # not JSON: the string itself
        raise InvalidValueError(f"{key}: {error.problem}", key=key, reason=error.problem) from None
    problem = value_problem(value)
    if problem is not None:
        raise InvalidValueError(f"{key}: {problem}", key=key, reason=problem)
    return value


def cmd_settings_set(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    value = parse_cli_value(args.value, args.key)
    return _report_saved(service.set(args.key, value), args.key, messages)


def cmd_settings_unset(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    return _report_saved(service.unset(args.key), args.key, messages)


def _report_saved(settings: Settings, key: str, messages: Messages) -> int:
    value = json.dumps(settings.values[key], ensure_ascii=False)
    print(messages.text("settings.saved", key=key, value=value))
    return EXIT_OK


def cmd_settings_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    check_output_file(args.file, messages)
    service.export(args.file)
    print(messages.text("settings.exported", path=args.file))
    return EXIT_OK


def cmd_settings_import(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    result = service.import_(args.file)
    print(messages.text("settings.imported", path=args.file))
    for key in result.skipped_locked:
        print(messages.text("settings.import_skipped_locked", key=key), file=sys.stderr)
    return EXIT_OK


def cmd_proxy_password(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.settings import secrets

    messages = ctx.messages
    settings = ctx.settings
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
        password = stdin_line(ctx.console).rstrip("\r\n")
    elif ctx.console.interactive():
        password = ctx.console.secret(messages.text("settings.prompt_proxy_password"))
    else:
        raise UsageError(messages.text("settings.no_terminal_password"))
    require_text(password)  # the keyring stores UTF-8
    if not password:
        raise UsageError(messages.text("settings.empty_password"))
    secrets.set_proxy_password(proxy, password)
    del password
    print(messages.text("settings.proxy_password_saved"))
    return EXIT_OK
