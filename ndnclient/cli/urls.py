"""`ndnclient urls list|add|remove`: the allowed URL list (許可URLリスト), https origins only."""

from __future__ import annotations

import argparse
import sys

from ndnclient.cli._common import EXIT_OK, EXIT_PROBLEM, CommandContext, add_command, print_json
from ndnclient.messages import Messages


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    urls = add_command(commands, "urls", [common], messages)
    url_actions = urls.add_subparsers(dest="urls_command", metavar="ACTION", required=True)
    listing = url_actions.add_parser("list", parents=[common], help=t("cli.help.urls.list"))
    listing.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    listing.set_defaults(handler=cmd_urls_list)
    for name, handler in (("add", cmd_urls_add), ("remove", cmd_urls_remove)):
        action = url_actions.add_parser(name, parents=[common], help=t(f"cli.help.urls.{name}"))
        action.add_argument("url", metavar="URL", help=t("cli.help.urls.url"))
        action.set_defaults(handler=handler)


def cmd_urls_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    settings = ctx.settings
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


def cmd_urls_add(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    _, origin, added = service.add_url(args.url)
    print(messages.text("settings.url_added" if added else "settings.url_already", url=origin))
    return EXIT_OK


def cmd_urls_remove(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    service = ctx.settings_service
    _, origin, removed = service.remove_url(args.url)
    if not removed:
        print(messages.text("settings.url_not_listed", url=origin), file=sys.stderr)
        return EXIT_PROBLEM
    print(messages.text("settings.url_removed", url=origin))
    return EXIT_OK
