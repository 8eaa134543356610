"""`ndnclient simulator`: the virtual GoSign card in pcscd's virtual reader, until Ctrl+C
(docs/cli.md, "The virtual card"). The card itself is `ndnclient.simulator`; this is its
command, with the exit statuses every command has."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from ndnclient.card.info import format_card_number
from ndnclient.card.profile import (
    GOSIGN_PROFILE,
    GoSignProfile,
    ProfileFileError,
    load_profile_file,
)
from ndnclient.cli._argparse_text import ArgumentProblem
from ndnclient.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandContext,
    UsageError,
    add_command,
    card_number_argument,
    check_output_file,
    date_argument,
    output_path_argument,
    printable,
)
from ndnclient.messages import Messages
from ndnclient.simulator import VPCD_HOST, VPCD_PORT

# The card (cryptography for its keys and certificates) loads when the command runs.
if TYPE_CHECKING:
    from ndnclient.simulator.repository import VirtualRepository
    from ndnclient.simulator.state import VirtualCardState

# --- Arguments ---------------------------------------------------------------------------------


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port_text = text.rpartition(":")
    host = host.strip("[]")  # [::1]:35963
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ArgumentProblem("cli.argparse.not_host_port", value=printable(text))
    return host, int(port_text)


# A certificate's validity starts in 1950 at the earliest (cryptography refuses before), and
# a card's default validity (two years) must still end within year 9999.
FIRST_DATE, LAST_DATE = date(1950, 1, 1), date(9997, 12, 31)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ArgumentProblem("cli.argparse.not_a_port", value=printable(text))
    return int(text)


def _pin_rules(profile: GoSignProfile) -> tuple[int, ...]:
    return (
        profile.pin_max_tries,
        profile.unlock_max_tries,
        profile.pin_min_length,
        profile.pin_max_length,
        profile.unlock_code_length,
    )


def _tries(maximum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or not 0 <= int(text) <= maximum:
            raise ArgumentProblem("cli.argparse.not_tries", value=printable(text), max=maximum)
        return int(text)

    return parse


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    simulator = add_command(commands, "simulator", [common], messages)
    add_arguments(simulator, messages)
    simulator.set_defaults(handler=cmd_simulator)


def add_arguments(parser: argparse.ArgumentParser, messages: Messages | None = None) -> None:
    """The `ndnclient simulator` options."""
    t = (messages or Messages()).text
    parser.add_argument(
        "--vpcd",
        metavar="HOST:PORT",
        type=_host_port,
        default=(VPCD_HOST, VPCD_PORT),
        help=t("cli.help.simulator.vpcd", host=VPCD_HOST, port=VPCD_PORT),
    )
    parser.add_argument(
        "--state", metavar="FILE", type=output_path_argument, help=t("cli.help.simulator.state")
    )
    parser.add_argument(
        "--card-number",
        type=card_number_argument,
        metavar="NUMBER",
        help=t("cli.help.simulator.card_number"),
    )
    parser.add_argument("--holder", metavar="NAME", help=t("cli.help.simulator.holder"))
    day = date_argument(FIRST_DATE, LAST_DATE)
    parser.add_argument(
        "--valid-from", type=day, metavar="DATE", help=t("cli.help.simulator.valid_from")
    )
    parser.add_argument(
        "--valid-to", type=day, metavar="DATE", help=t("cli.help.simulator.valid_to")
    )
    parser.add_argument(
        "--pin-tries-left",
        type=_tries(GOSIGN_PROFILE.pin_max_tries),
        metavar="N",
        help=t("cli.help.simulator.pin_tries_left"),
    )
    parser.add_argument(
        "--unlock-tries-left",
        type=_tries(GOSIGN_PROFILE.unlock_max_tries),
        metavar="N",
        help=t("cli.help.simulator.unlock_tries_left"),
    )
    # Flags take --no-... too, so that a saved card can be switched back.
    for flag, key in (
        ("--t0", "t0"),
        ("--extended-length", "extended_length"),
        ("--mynumber", "mynumber"),
    ):
        parser.add_argument(
            flag,
            action=argparse.BooleanOptionalAction,
            default=None,
            help=t(f"cli.help.simulator.{key}"),
        )
    parser.add_argument("--pin-stdin", action="store_true", help=t("cli.help.simulator.pin_stdin"))
    parser.add_argument(
        "--repository-port",
        type=_port,
        metavar="PORT",
        help=t("cli.help.simulator.repository_port"),
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help=t("cli.help.simulator.profile"),
    )


# --- Building the card ---------------------------------------------------------------------


def _read_line(stream: Any) -> bytearray | None:
    """One line of stdin as bytes, without its line end; None at end of input."""
    binary = getattr(stream, "buffer", None)
    raw = binary.readline() if binary is not None else stream.readline().encode("utf-8")
    if not raw:
        return None
    line = bytearray(raw)
    while line and line[-1] in b"\r\n":
        line.pop()
    return line


def _read_secrets(stream: Any) -> tuple[bytearray, bytearray | None]:
    """The PIN and (when a second line is given) the unlock code; UsageError naming no value."""
    pin = _read_line(stream)
    if not pin or not GOSIGN_PROFILE.is_valid_pin(pin):
        raise UsageError(
            "the PIN on stdin breaks the PIN format "
            f"({GOSIGN_PROFILE.pin_min_length} to {GOSIGN_PROFILE.pin_max_length} "
            "characters 0-9 A-Z a-z)"
        )
    code = _read_line(stream)
    if code is not None and not code:
        code = None  # an empty second line keeps the unlock code as it is
    if code is not None and not GOSIGN_PROFILE.is_valid_unlock_code(code):
        _wipe(pin)
        raise UsageError(
            f"the unlock code on stdin is not {GOSIGN_PROFILE.unlock_code_length} digits"
        )
    return pin, code


def _wipe(secret: bytearray | None) -> None:
    if secret is not None:
        secret[:] = bytes(len(secret))


def _new_state(
    args: argparse.Namespace, pin: bytearray | None, code: bytearray | None
) -> VirtualCardState:
    from ndnclient.simulator.state import create_state

    options: dict[str, Any] = {
        "card_number": args.card_number,
        "holder": args.holder,
        "valid_from": args.valid_from,
        "valid_to": args.valid_to,
        "pin": pin,
        "unlock_code": code,
        "pin_tries_left": args.pin_tries_left,
        "unlock_tries_left": args.unlock_tries_left,
        "t0": args.t0,
        "extended_length": args.extended_length,
        "card_type": None if args.mynumber is None else "mynumber" if args.mynumber else "gosign",
    }
    return create_state(**{name: value for name, value in options.items() if value is not None})


def _apply_options(
    state: VirtualCardState,
    args: argparse.Namespace,
    pin: bytearray | None,
    code: bytearray | None,
) -> None:
    """Explicit options override what the state file says."""
    identity = (state.card_number, state.holder, state.valid_from, state.valid_to)
    if args.card_number is not None:
        state.card_number = args.card_number
    if args.holder is not None:
        state.holder = args.holder
    if args.valid_from is not None:
        state.valid_from = args.valid_from
    if args.valid_to is not None:
        state.valid_to = args.valid_to
    if state.valid_to < state.valid_from:
        raise UsageError("the card would be valid to a date before it is valid from")
    if (state.card_number, state.holder, state.valid_from, state.valid_to) != identity:
        state.reissue_certificate()  # same key, from the stored CA
    if args.pin_tries_left is not None:
        state.pin_tries_left = args.pin_tries_left
    if args.unlock_tries_left is not None:
        state.unlock_tries_left = args.unlock_tries_left
    if args.t0 is not None:
        state.t0 = args.t0
    if args.extended_length is not None:
        state.extended_length = args.extended_length
    if args.mynumber is not None:
        state.card_type = "mynumber" if args.mynumber else "gosign"
    if pin is not None:
        state.set_pin(pin)
    if code is not None:
        state.set_unlock_code(code)


def build_state(
    args: argparse.Namespace, pin: bytearray | None, code: bytearray | None
) -> VirtualCardState:
    """The card's state: loaded from --state (with the options applied) or new; saved."""
    from ndnclient.simulator.state import MAX_HOLDER_LENGTH, load_state, save_state

    path: Path | None = args.state
    if args.holder is not None and not args.holder:
        raise UsageError("the holder name is empty")
    if args.holder is not None and len(args.holder) > MAX_HOLDER_LENGTH:
        raise UsageError(f"the holder name is longer than {MAX_HOLDER_LENGTH} characters")
    if args.holder is not None and not args.holder.isprintable():
        # Also an undecodable byte from the command line, which could never be saved.
        raise UsageError("the holder name holds characters that cannot be used")
    if path is not None and path.exists():
        state = load_state(path)
        _apply_options(state, args, pin, code)
    else:
        try:
            state = _new_state(args, pin, code)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if path is not None:
        save_state(state, path)
    return state


# --- Running -------------------------------------------------------------------------------


def cmd_simulator(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Insert the card into vpcd and serve it until SIGINT/SIGTERM (exit 0). Options that do
    not fit together are bad usage (exit 2, from main)."""
    if args.state is not None:
        check_output_file(args.state, ctx.messages)  # it is written, so it needs a name
    return run(args, ctx.console.stdin)


def run(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    from ndnclient.simulator.card import VirtualGoSignCard
    from ndnclient.simulator.state import StateFileError, save_state
    from ndnclient.simulator.vpcd import VpcdBridge

    pin: bytearray | None = None
    code: bytearray | None = None
    try:
        # A card laid out as another profile file says (docs/card-profile.md, section 10).
        profile = load_profile_file(args.profile) if args.profile else GOSIGN_PROFILE
        if _pin_rules(profile) != _pin_rules(GOSIGN_PROFILE):
            # Its state (tries, stored PIN) follows GoSign's rules; another layout may move
            # the PIN elsewhere, not change what a PIN is.
            raise ProfileFileError(
                f"{args.profile}: the virtual card takes only GoSign's PIN rules"
                " (10 tries each, a PIN of 4 to 16 characters, an 8-digit unlock code)"
            )
        if args.pin_stdin:
            pin, code = _read_secrets(stdin if stdin is not None else sys.stdin)
        state = build_state(args, pin, code)
    except ProfileFileError as exc:
        print(f"ndnclient simulator: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except UsageError as exc:
        raise UsageError(f"ndnclient simulator: {exc}") from None
    except (StateFileError, OSError) as exc:
        print(f"ndnclient simulator: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    finally:
        _wipe(pin)
        _wipe(code)

    path: Path | None = args.state

    def persist(changed: VirtualCardState) -> None:
        if path is not None:
            save_state(changed, path)

    card = VirtualGoSignCard(
        state, on_state_change=persist if path is not None else None, profile=profile
    )
    host, port = args.vpcd
    kind = "My Number" if state.card_type == "mynumber" else f"GoSign (profile {profile.name})"

    def announce() -> None:
        print(
            f"Virtual {kind} card {format_card_number(state.card_number)} inserted "
            f"into vpcd {host}:{port} (Ctrl+C pulls it out)",
            flush=True,
        )

    stop = threading.Event()
    bridge = VpcdBridge(card, host, port, on_inserted=announce)
    previous_handlers = _install_signal_handlers(stop)
    repository = _start_repository(state, args.repository_port, path)
    try:
        bridge.start()
        # Wake up now and then: the bridge thread may have given up (vpcd unreachable).
        while not stop.wait(0.2) and bridge.running:
            pass
    finally:
        bridge.stop()  # pulls the card cleanly
        if repository is not None:
            repository.stop()
        _restore_signal_handlers(previous_handlers)
    if bridge.error is not None:
        print(f"ndnclient simulator: {bridge.error}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def _start_repository(
    state: VirtualCardState, port: int | None, path: Path | None
) -> VirtualRepository | None:
    """The test CA's repository on 127.0.0.1:`port` (LDAP) and `port` + 1 (the CRL over
    HTTP), named in the certificate's CRL distribution points (the certificate is issued
    again when it named others). A repository that cannot start is told and the card runs
    without it."""
    if port is None:
        return None
    from ndnclient.simulator.repository import VirtualRepository
    from ndnclient.simulator.state import save_state
    from ndnclient.simulator.testca import crl_distribution_points_of

    try:
        repository = VirtualRepository.start(state.test_ca(), port)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        print(f"ndnclient simulator: the CA repository did not start: {error}", file=sys.stderr)
        return None
    points = repository.points()
    if crl_distribution_points_of(state.user_certificate()) != points:
        state.reissue_certificate(points)
        if path is not None:
            save_state(state, path)
    print(f"Virtual CA repository {' and '.join(points)}", flush=True)
    return repository


_SignalHandler = Any  # what signal.signal returns: a callable, an int, or None


def _install_signal_handlers(stop: threading.Event) -> dict[int, _SignalHandler]:
    # Signal handlers can only be set from the main thread (a test may call run elsewhere).
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, _SignalHandler] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous


def _restore_signal_handlers(previous: dict[int, _SignalHandler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
