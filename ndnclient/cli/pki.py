"""Certificate tools on the command line (証明書ツール): `ndnclient csr create`, `cert show`
and `smime sign`.

A pass phrase is never an argument: it is typed twice without echo, or given on two stdin
lines with --passphrase-stdin. Nothing is written unless every rule holds, and no existing
file is ever overwritten.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from typing import Any

from ndnclient.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    Abort,
    CommandContext,
    SecretInput,
    UsageError,
    add_command,
    card_choice,
    card_choice_options,
    card_display,
    card_number_argument,
    check_output_file,
    gosign_session,
    input_path_argument,
    output_path_argument,
    pass_the_pin_gate,
    pin_entry_options,
    pin_guarded_session,
    print_json,
    require_text,
    stdin_line,
)
from ndnclient.messages import Messages

RECOMMENDED_PASSPHRASE_LENGTH = 8
# A message to sign is text a person wrote; past this it is a mistake (or /dev/zero).
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    csr = add_command(commands, "csr", [common], messages)
    actions = csr.add_subparsers(dest="csr_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[common], help=t("cli.help.csr.create"))
    create.add_argument(
        "--kind", required=True, choices=["web", "ev", "email"], help=t("cli.help.csr.kind")
    )
    create.add_argument("--cn", required=True, help=t("cli.help.csr.cn"))
    create.add_argument("--o", required=True, help=t("cli.help.csr.o"))
    create.add_argument("--ou", help=t("cli.help.csr.ou"))
    create.add_argument("--l", help=t("cli.help.csr.l"))
    create.add_argument("--st", help=t("cli.help.csr.st"))
    create.add_argument("--c", default="JP", help=t("cli.help.csr.c"))
    create.add_argument("--san", action="append", default=[], help=t("cli.help.csr.san"))
    create.add_argument(
        "--key",
        default="rsa2048",
        choices=["rsa2048", "rsa3072", "p256"],
        help=t("cli.help.csr.key"),
    )
    create.add_argument("--ascii-only", action="store_true", help=t("cli.help.csr.ascii_only"))
    create.add_argument(
        "--key-out",
        type=output_path_argument,
        required=True,
        metavar="FILE",
        help=t("cli.help.csr.key_out"),
    )
    create.add_argument(
        "--out",
        type=output_path_argument,
        required=True,
        metavar="FILE",
        help=t("cli.help.csr.out"),
    )
    create.add_argument(
        "--passphrase-stdin", action="store_true", help=t("cli.help.csr.passphrase_stdin")
    )
    create.add_argument(
        "--o-is-legal-name", action="store_true", help=t("cli.help.csr.o_is_legal_name")
    )
    create.add_argument("--json", action="store_true", help=t("cli.help.csr.json"))
    create.set_defaults(handler=cmd_csr_create)

    cert = add_command(commands, "cert", [common], messages)
    cert_actions = cert.add_subparsers(dest="cert_command", metavar="ACTION", required=True)
    show = cert_actions.add_parser("show", parents=[common], help=t("cli.help.cert.show"))
    source = show.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file", nargs="?", type=input_path_argument, metavar="FILE", help=t("cli.help.cert.file")
    )
    source.add_argument(
        "--card",
        nargs="?",
        const=True,
        type=card_number_argument,
        metavar="NUMBER",
        help=t("cli.help.cert.card"),
    )
    show.add_argument("--reader", metavar="NAME", help=t("cli.help.cert.reader"))
    show.add_argument(
        "--password-stdin", action="store_true", help=t("cli.help.cert.password_stdin")
    )
    show.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    show.set_defaults(handler=cmd_cert_show)

    smime = add_command(commands, "smime", [common], messages)
    smime_actions = smime.add_subparsers(dest="smime_command", metavar="ACTION", required=True)
    sign = smime_actions.add_parser(
        "sign",
        parents=[
            common,
            card_choice_options(messages, for_pin=True),
            pin_entry_options(messages),
        ],
        help=t("cli.help.smime.sign"),
    )
    sign.add_argument(
        "--in",
        dest="message",
        type=input_path_argument,
        required=True,
        metavar="MESSAGE",
        help=t("cli.help.smime.message"),
    )
    sign.add_argument(
        "--out",
        type=output_path_argument,
        required=True,
        metavar="SIGNED",
        help=t("cli.help.smime.out"),
    )
    sign.set_defaults(handler=cmd_smime_sign)


def _problem_lines(error: Any, messages: Messages) -> list[str]:
    t = messages.text
    return [
        t(f"csr.problem.{p.key}", field=t(f"csr.field.{p.field}"), **p.params)
        for p in error.problems
    ]


def _read_passphrase(ctx: CommandContext, args: argparse.Namespace) -> bytearray:
    t = ctx.messages.text
    console = ctx.console
    if args.passphrase_stdin:
        first, second = stdin_line(console), stdin_line(console)
        if not first or not second:
            raise Abort(t("csr.passphrase_stdin_short"))
        first, second = first.rstrip("\r\n"), second.rstrip("\r\n")
    else:
        if not console.interactive():
            raise UsageError(t("csr.no_terminal"))
        first = console.secret(t("csr.prompt_passphrase"))
        second = console.secret(t("csr.prompt_passphrase_again"))
    try:
        if first != second:
            raise Abort(t("csr.passphrase_mismatch"))
        if not first:
            raise Abort(t("csr.passphrase_empty"))
        require_text(first)  # typed again elsewhere to open the key: it must be UTF-8 text
        if len(first) < RECOMMENDED_PASSPHRASE_LENGTH:
            print(t("csr.passphrase_short", length=len(first)), file=sys.stderr)
        return bytearray(first.encode("utf-8"))
    finally:
        del first, second


def _confirm_legal_name(ctx: CommandContext, args: argparse.Namespace, o: str) -> None:
    """The CA refuses a nickname in O. On a terminal the user says so; a script says so with
    --o-is-legal-name, or gets the reminder on stderr."""
    messages = ctx.messages
    if args.o_is_legal_name:
        return
    if ctx.console.interactive() and not args.passphrase_stdin:
        answer = ctx.console.ask(messages.text("csr.confirm_legal_name", value=o))
        if answer.strip().casefold() not in messages.text("csr.confirm_answers").split():
            raise Abort(messages.text("csr.legal_name_declined"))
        return
    print(messages.text("csr.legal_name_reminder", value=o), file=sys.stderr)


def cmd_csr_create(ctx: CommandContext, args: argparse.Namespace) -> int:
    # cryptography's key generation and the CSR code load only for this command.
    from ndnclient.pki import csr as tools
    from ndnclient.pki import csr_rules as rules

    messages = ctx.messages
    t = messages.text
    for path in (args.key_out, args.out):
        check_output_file(path, messages)
    request = rules.CsrRequest(
        kind=rules.CsrKind(args.kind),
        cn=args.cn,
        o=args.o,
        ou=args.ou,
        l=args.l,
        st=args.st,
        c=args.c,
        san=tuple(args.san),
        key_type=rules.KeyType(args.key),
        ascii_only=args.ascii_only,
    )
    try:
        checked = rules.check_request(request)
    except rules.CsrInputError as error:
        for line in _problem_lines(error, messages):
            print(line, file=sys.stderr)
        return EXIT_PROBLEM
    marker = checked.o_nickname_marker
    if marker is not None and not args.o_is_legal_name:
        field, value = t("csr.field.o"), checked.subject["o"]
        sentence = t("csr.problem.nickname", field=field, value=value, part=marker)
        print(f"{sentence} {t('csr.nickname_cli_hint')}", file=sys.stderr)
        return EXIT_PROBLEM
    key_out, out = args.key_out, args.out
    if key_out.resolve() == out.resolve():
        raise UsageError(t("csr.same_file", path=out))
    for path in (key_out, out):
        if path.exists():
            raise Abort(t("file.exists", path=path))
    _confirm_legal_name(ctx, args, checked.subject["o"])
    passphrase = _read_passphrase(ctx, args)
    files = tools.make_key_and_csr(checked, passphrase, key_out, out)
    notes = tools.note_lines(checked, messages)
    if args.json:
        print_json(
            {
                "kind": checked.kind.value,
                "subject": {
                    name: {"value": value, "type": tools.string_type(name)}
                    for name, value in checked.subject.items()
                },
                "san": {"dns": list(checked.dns_names), "email": list(checked.email_addresses)},
                "key": tools.describe_key(checked.key_type),
                "csr_file": str(out),
                "key_file": str(key_out),
                "csr_sha256": files.csr_sha256,
                "notes": notes,
            },
            sys.stdout,
        )
        return EXIT_OK
    print(t("csr.summary_title"))
    for line in tools.summary_lines(checked, files, messages):
        print("  " + line)
    if notes:
        print(t("csr.notes"))
        for note in notes:
            print("  - " + note)
    return EXIT_OK


def _inspect(ctx: CommandContext, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The certificates of the file (or the card's), inspected; a PKCS#12 file's password
    is asked for only when it needs one."""
    from ndnclient.pki.certinfo import (
        Pkcs12PasswordNeeded,
        inspect_card_certificate,
        inspect_file,
        read_certificate_file,
    )

    if args.card:
        # A bare --card is True; --card NUMBER names the card (card_choice keeps strings).
        with gosign_session(ctx, card_choice(args)) as session:
            der = session.read_user_certificate()
        return inspect_card_certificate(der)
    data = read_certificate_file(args.file)
    try:
        return inspect_file(data)
    except Pkcs12PasswordNeeded:
        if args.password_stdin:
            line = stdin_line(ctx.console).rstrip("\r\n")
        elif ctx.console.interactive():
            line = ctx.console.secret(ctx.messages.text("cert.prompt_password"))
        else:
            raise
        password = bytearray(require_text(line).encode("utf-8"))
        del line
        try:
            return inspect_file(data, bytes(password))
        finally:
            password[:] = bytes(len(password))


def cmd_cert_show(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.pki.certinfo import certificate_lines

    messages = ctx.messages
    documents = _inspect(ctx, args)
    if args.json:
        print_json({"certificates": documents}, sys.stdout)
        return EXIT_OK
    t = messages.text
    for index, document in enumerate(documents, start=1):
        if len(documents) > 1:
            print(t("cert.heading", index=index, count=len(documents)))
        for line in certificate_lines(document, messages):
            print(line)
        print()
    return EXIT_OK


def cmd_smime_sign(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Sign a message with the card: the tries are shown first, the PIN is checked once and
    the card signs in the same transaction; the signed message is written as a new file."""
    from ndnclient.card.status import load_card_certificate
    from ndnclient.fileio import create_new_file, read_at_most
    from ndnclient.pki.card_key import CardPrivateKey
    from ndnclient.pki.smime import sign_detached, text_entity

    messages = ctx.messages
    t = messages.text
    check_output_file(args.out, messages)
    try:
        raw = read_at_most(args.message, MAX_MESSAGE_BYTES)
        if len(raw) > MAX_MESSAGE_BYTES:
            limit_mb = MAX_MESSAGE_BYTES // (1024 * 1024)
            raise Abort(t("smime.too_large", path=args.message, limit_mb=limit_mb))
        text = raw.decode("utf-8")
    except OSError as error:
        detail = error.strerror or type(error).__name__
        raise Abort(t("cert.cannot_read", path=args.message, detail=detail)) from None
    except UnicodeDecodeError:
        raise Abort(t("smime.not_utf8", path=args.message)) from None
    if args.out.exists():
        raise Abort(t("file.exists", path=args.out))
    folder = args.out.parent.resolve()
    if not folder.is_dir():  # told before the PIN is used, not after the card has signed
        raise Abort(t("file.cannot_write", path=args.out, detail=t("smime.no_folder")))
    secrets = SecretInput(args.pin_stdin, ctx)
    with pin_guarded_session(ctx, card_choice(args)) as guarded:
        session, guard = guarded.session, guarded.guard
        certificate = load_card_certificate(session.read_user_certificate())
        chain = [load_card_certificate(session.read_ca_certificate())]
        confirmed = pass_the_pin_gate(guard, "pin", secrets, args, messages)
        card = card_display(guarded.card, messages)
        entity = text_entity(text)
        with secrets.read("cli.prompt_pin", 1, card) as pin:
            # The use record keeps the SHA-256 of the message signed, never the message.
            key = CardPrivateKey(
                guard,
                certificate,
                pin,
                last_try_confirmed=confirmed,
                operation="sign_smime",
                data_sha256=hashlib.sha256(entity).hexdigest(),
            )
            signed = sign_detached(entity, certificate, key, chain)
    create_new_file(args.out, signed)
    print(t("smime.signed", path=args.out, card=card))
    return EXIT_OK
