"""Hostile LDAP servers for G04's probe: one fuzz target per scenario, `ldap:<scenario>`.

Each target's session starts a plain socket server on 127.0.0.1 (port 0, a thread per
connection). `generate` draws the scenario's variation from `rng` (a few parameters, at most
a few KB of random bytes); `run_one` hands it to the server and runs the real `LdapProbe`
against it with a short bound (2 s: 0.5 s each for name resolution and connect, 0.5 s for
each of the two answers). Whatever the server does, the probe must give one of its verdicts
(an exception out of it is an escape), and give it within its bound plus `MARGIN`; some
scenarios also say which verdicts they allow (`expect`): an endless stream of entries is
`too_large`, never `ok`. A breach raises `Escaped`.

The servers stream their large answers a chunk at a time (`Repeat`, `Tree`; at most about
1 MB is built at once), so the memory the long run measures (`benchmarks/fuzz.py`, the
server runs in the same process) is mostly the probe's. Cases are reproducible from their
seed: the CRLs they carry are built from a fixed key, names and dates (`fixed_crl`).
"""

from __future__ import annotations

import contextlib
import functools
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.pki.ldap_repository import LdapProbe, ProbeReason, ProbeResult, message_length
from tests.fuzzing import Escaped, mutate_bytes

STEP_TIMEOUT = 0.5  # the probe's connect and receive timeouts: a bound of 0.5 + 0.5 + 2 × 0.5 s
MARGIN = 1.0  # what the probe may take past its bound (its own clean-up, a busy machine)
SEND_CHUNK = 64 * 1024
BASE_DN = "cn=CA,o=ndnclient test,c=JP"
CRL = b"certificateRevocationList;binary"
ARL = b"authorityRevocationList;binary"
MiB = 1024 * 1024

Case = dict[str, Any]


# --- BER and LDAP, as a server writes them --------------------------------------------------


def ber_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + ber_length(len(value)) + value


def integer_octets(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big", signed=True)


def integer(value: int, tag: int = 0x02) -> bytes:
    return tlv(tag, integer_octets(value))


def octets(value: bytes) -> bytes:
    return tlv(0x04, value)


def ldap_message(message_id: int | bytes, operation: bytes) -> bytes:
    """An LDAPMessage; `message_id` as bytes is the INTEGER's raw contents (any length)."""
    encoded = integer_octets(message_id) if isinstance(message_id, int) else message_id
    return tlv(0x30, tlv(0x02, encoded) + operation)


def ldap_result(tag: int, code: int, referrals: Iterable[bytes] = ()) -> bytes:
    urls = b"".join(octets(url) for url in referrals)
    return tlv(
        tag, integer(code, 0x0A) + octets(b"") + octets(b"") + (tlv(0xA3, urls) if urls else b"")
    )


def bind_response(code: int = 0, referrals: Iterable[bytes] = ()) -> bytes:
    return ldap_result(0x61, code, referrals)


def search_done(code: int = 0, referrals: Iterable[bytes] = ()) -> bytes:
    return ldap_result(0x65, code, referrals)


def attribute(name: bytes, values: Iterable[bytes]) -> bytes:
    return tlv(0x30, octets(name) + tlv(0x31, b"".join(octets(value) for value in values)))


def search_entry(attributes: Iterable[bytes], dn: bytes = BASE_DN.encode()) -> bytes:
    return tlv(0x64, octets(dn) + tlv(0x30, b"".join(attributes)))


def header(tag: int, length: int) -> bytes:
    """A TLV's tag and length alone: the value follows, sent by the caller."""
    return bytes([tag]) + ber_length(length)


@dataclass(frozen=True)
class Repeat:
    """`chunk` `count` times, never joined: a large part of a message, sent as it is made."""

    chunk: bytes
    count: int


@dataclass(frozen=True)
class Tree:
    """A TLV whose value is its parts, in order (bytes, repeats, trees)."""

    tag: int
    parts: tuple[bytes | Repeat | Tree, ...]


def tree_size(node: bytes | Repeat | Tree) -> int:
    if isinstance(node, bytes):
        return len(node)
    if isinstance(node, Repeat):
        return len(node.chunk) * node.count
    value = sum(tree_size(part) for part in node.parts)
    return len(header(node.tag, value)) + value


def stream(node: bytes | Repeat | Tree) -> Iterator[bytes]:
    """The encoding of `node`, a chunk at a time (at most SEND_CHUNK of a repeat at once)."""
    if isinstance(node, bytes):
        yield node
    elif isinstance(node, Repeat):
        per_chunk = max(1, SEND_CHUNK // max(1, len(node.chunk)))
        left = node.count
        while left:
            batch = min(left, per_chunk)
            yield node.chunk * batch
            left -= batch
    else:
        yield header(node.tag, sum(tree_size(part) for part in node.parts))
        for part in node.parts:
            yield from stream(part)


def fixed_crl(crl_number: int, revoked: Iterable[int] = ()) -> bytes:
    """A CRL (DER) that is the same in every run, so that a seed reproduces a case built on
    it: a fixed Ed25519 key (whose signatures are deterministic), fixed names and dates."""
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.x509.oid import NameOID

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    issued = datetime(2026, 1, 1, tzinfo=UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ndnclient fuzz CA")]))
        .last_update(issued)
        .next_update(datetime(2036, 1, 1, tzinfo=UTC))
        .add_extension(x509.CRLNumber(crl_number), critical=False)
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(issued).build()
        )
    return builder.sign(key, None).public_bytes(Encoding.DER)


@functools.cache
def valid_lists() -> tuple[bytes, bytes]:
    """A real CRL and ARL (DER), the same in every run."""
    return fixed_crl(1), fixed_crl(2)


@functools.cache
def _one_revoked() -> tuple[bytes, bytes, bytes]:
    """A CRL revoking one certificate, cut around its revokedCertificates: (what comes
    before that SEQUENCE, one entry, what comes after it) in the TBS."""
    from cryptography import x509

    serial = 0x1234567890ABCDEF
    tbs = x509.load_der_x509_crl(fixed_crl(3, [serial])).tbs_certlist_bytes
    at = tbs.index(b"\x02\x08" + serial.to_bytes(8, "big")) - 2
    entry = tbs[at : at + 2 + tbs[at + 1]]
    revoked = tlv(0x30, entry)
    start = tbs.index(revoked)
    body_start = 2 if tbs[1] < 0x80 else 2 + (tbs[1] & 0x7F)
    return tbs[body_start:start], entry, tbs[start + len(revoked) :]


def crl_with_entries(count: int) -> Tree:
    """A CRL listing the same revoked certificate `count` times, as a tree to stream; its
    signature is another list's (the probe parses, G08 verifies)."""
    before, entry, after = _one_revoked()
    revoked = (Tree(0x30, (Repeat(entry, count),)),) if count else ()
    return Tree(0x30, (Tree(0x30, (before, *revoked, after)), valid_lists_signature()))


@functools.cache
def valid_lists_signature() -> bytes:
    """The signatureAlgorithm and signatureValue of a CRL (any: nothing verifies them here)."""
    crl = valid_lists()[0]
    body_start = 2 if crl[1] < 0x80 else 2 + (crl[1] & 0x7F)
    tbs_length = message_length(crl[body_start:])
    assert tbs_length is not None
    return crl[body_start + tbs_length :]


def crl_entry(crl: bytes | None = None, arl: bytes | None = None) -> bytes:
    valid_crl, valid_arl = valid_lists()
    return search_entry(
        [
            attribute(CRL, [valid_crl if crl is None else crl]),
            attribute(ARL, [valid_arl if arl is None else arl]),
        ]
    )


# --- the server -----------------------------------------------------------------------------


class Closed(Exception):
    """The peer went away (or sent what no probe sends): the script ends there."""


@dataclass
class Peer:
    """One accepted connection, as a script sees it."""

    connection: socket.socket
    stop: threading.Event

    def request(self) -> int:
        """Reads one whole request (an LDAPMessage) and returns its message id."""
        data = b""
        while True:
            length = message_length(data)
            if length is not None and len(data) >= length:
                return _message_id(data)
            if len(data) > 64 * 1024:
                raise Closed  # not the probe's request
            more = self.connection.recv(4096)
            if not more:
                raise Closed
            data += more

    def send(self, *parts: bytes | Iterable[bytes]) -> None:
        for part in parts:
            for chunk in [part] if isinstance(part, bytes) else part:
                if self.stop.is_set():
                    raise Closed
                self.connection.sendall(chunk)

    def hold(self, seconds: float = 5.0) -> None:
        """Keeps the connection open, silent, until the probe hangs up (or `seconds`)."""
        self.connection.settimeout(seconds)
        with contextlib.suppress(OSError):
            while self.connection.recv(4096):
                pass

    def reset(self) -> None:
        """Ends with a reset (RST), not a FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _message_id(request: bytes) -> int:
    position = 2 if request[1] < 0x80 else 2 + (request[1] & 0x7F)
    size = request[position + 1]
    return int.from_bytes(request[position + 2 : position + 2 + size], "big", signed=True)


Script = Callable[[Peer, Case], None]


class HostileServer:
    """A loopback TCP server: every connection runs `script(peer, case)` for the case set
    last, on a thread of its own. Stopping closes everything."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.case: Case = {}
        self.accepted = 0  # connections so far
        self.stop = threading.Event()
        self._listener = socket.socket()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"ldap://127.0.0.1:{port}/{BASE_DN.replace(' ', '%20')}"

    def __enter__(self) -> HostileServer:
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        accepting = threading.Thread(target=self._accept, name="hostile-ldap", daemon=True)
        accepting.start()
        self._threads.append(accepting)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (close alone does not)
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        for thread in self._threads:
            thread.join(2)

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed: the session is over
            with self._lock:
                self.accepted += 1
                self._connections.append(connection)
                self._threads = [t for t in self._threads if t.is_alive()]
                serving = threading.Thread(
                    target=self._serve, args=(connection, self.case), daemon=True
                )
                self._threads.append(serving)
            serving.start()

    def _serve(self, connection: socket.socket, case: Case) -> None:
        connection.settimeout(5)
        try:
            self.script(Peer(connection, self.stop), case)
        except (OSError, Closed):
            pass  # the probe hung up, or the script ended the connection itself
        finally:
            connection.close()
            with self._lock:
                self._connections.remove(connection)


# --- the targets ----------------------------------------------------------------------------


@dataclass
class LdapScenario:
    """One hostile scenario as a fuzz target (see tests/fuzzing/__init__.py)."""

    scenario: str
    draw: Callable[[random.Random], Case]
    script: Script
    examples_in_tests: int = 8  # the quick ones; those that may wait for the deadline, fewer
    # The probe's deadline from the start, when shorter than its bound (a trickle runs to it).
    deadline: float | None = None
    # The verdicts this scenario allows, given the case (None: any of the probe's verdicts).
    expect: Callable[[Case], set[ProbeReason | None] | None] = lambda _case: None
    name: str = field(init=False)
    _server: HostileServer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = f"ldap:{self.scenario}"

    @contextlib.contextmanager
    def session(self) -> Iterator[HostileServer]:
        with HostileServer(self.script) as server:
            self._server = server
            try:
                yield server
            finally:
                self._server = None

    def generate(self, rng: random.Random) -> Case:
        return self.draw(rng)

    def run_one(self, case: Case) -> None:
        if self._server is None:
            with self.session():
                self.run_one(case)
            return
        result, took, bound = probe(self._server, case, self.deadline)
        if took > bound + MARGIN:
            raise Escaped(
                f"{self.name}: the probe took {took:.2f} s, past its bound {bound:.1f} s "
                f"+ {MARGIN:g} s ({result.reason}: {result.detail})"
            )
        result.facts()  # what G04 reports of it
        allowed = self.expect(case)
        if allowed is not None and result.reason not in allowed:
            raise Escaped(f"{self.name}: {result.reason} ({result.detail}), expected {allowed}")


def probe(
    server: HostileServer, case: Case, deadline: float | None = None
) -> tuple[ProbeResult, float, float]:
    """Runs the real probe against `server` with `case`: (result, seconds, its bound)."""
    server.case = case
    started = time.monotonic()
    prober = LdapProbe(
        server.url,
        connect_timeout=STEP_TIMEOUT,
        receive_timeout=STEP_TIMEOUT,
        deadline=None if deadline is None else started + deadline,
    )
    bound = prober.time_bound if deadline is None else min(prober.time_bound, deadline)
    result = prober.run()
    return result, time.monotonic() - started, bound


NOT_OK: set[ProbeReason | None] = set(ProbeReason)


def _then(peer: Peer, how: str) -> None:
    """How a script ends: hang up, hold the line silent, or reset."""
    if how == "hold":
        peer.hold()
    elif how == "reset":
        peer.reset()


# garbage: random bytes where an answer should be -----------------------------------------


def draw_garbage(rng: random.Random) -> Case:
    return {
        "stage": rng.choice(["at_once", "bind", "search"]),
        "data": rng.randbytes(rng.choice([1, 2, 3, rng.randint(1, 4096)])),
        "then": rng.choice(["close", "close", "close", "hold"]),
    }


def serve_garbage(peer: Peer, case: Case) -> None:
    if case["stage"] != "at_once":
        message_id = peer.request()
        if case["stage"] == "search":
            peer.send(ldap_message(message_id, bind_response()))
            peer.request()
    peer.send(case["data"])
    _then(peer, case["then"])


# trickle: a valid answer, a byte at a time -----------------------------------------------


def draw_trickle(rng: random.Random) -> Case:
    return {"stage": rng.choice(["bind", "search"]), "interval": rng.uniform(0.02, 0.3)}


def serve_trickle(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    answer = ldap_message(message_id, bind_response())
    if case["stage"] == "search":
        peer.send(answer)
        message_id = peer.request()
        answer = ldap_message(message_id, crl_entry()) + ldap_message(message_id, search_done())
    for byte in answer:
        peer.send(bytes([byte]))
        time.sleep(case["interval"])


# endless entries: search entries without end ---------------------------------------------


def draw_endless_entries(rng: random.Random) -> Case:
    return {
        "entry_size": rng.choice([MiB, MiB, rng.randint(1, MiB)]),
        "with_crl": rng.random() < 0.5,
        "fill": rng.randrange(256),
    }


def serve_endless_entries(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    filler = attribute(b"description", [bytes([case["fill"]]) * case["entry_size"]])
    lists = [attribute(CRL, [valid_lists()[0]]), attribute(ARL, [valid_lists()[1]])]
    entry = ldap_message(
        message_id, search_entry([*lists, filler] if case["with_crl"] else [filler])
    )
    while True:
        peer.send(entry)


# many small entries ------------------------------------------------------------------------


def draw_many_small_entries(rng: random.Random) -> Case:
    return {
        "count": rng.choice([100_000, rng.randint(1, 2000)]),
        "value_size": rng.randint(0, 200),
        "done": rng.random() < 0.7,
    }


def serve_many_small_entries(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    entry = ldap_message(message_id, search_entry([attribute(b"cn", [b"x" * case["value_size"]])]))
    per_chunk = max(1, SEND_CHUNK // len(entry))

    def entries() -> Iterator[bytes]:
        left = case["count"]
        while left:
            batch = min(left, per_chunk)
            yield entry * batch
            left -= batch

    peer.send(entries())
    if case["done"]:
        peer.send(ldap_message(message_id, search_done()))
    peer.hold()


def expect_many_small_entries(case: Case) -> set[ProbeReason | None]:
    # Bind answer + entries (+ done): past eight messages is over the budget; fewer is an
    # entry without the lists either way.
    return {ProbeReason.TOO_LARGE} if case["count"] >= 8 else NOT_OK


# many values: one entry of tiny values (elements) ------------------------------------------


def draw_many_values(rng: random.Random) -> Case:
    return {
        "values": rng.choice([4_000_000, rng.randint(1, 200_000)]),
        "value_size": rng.randint(0, 2),
        "attribute": rng.choice([CRL, b"cn"]),
    }


def serve_many_values(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    values = Repeat(octets(b"v" * case["value_size"]), case["values"])
    peer.send(stream(entry_tree(message_id, [(case["attribute"], values)])))
    peer.send(ldap_message(message_id, search_done()))
    peer.hold()


def entry_tree(message_id: int, attributes: list[tuple[bytes, bytes | Repeat | Tree]]) -> Tree:
    """A search entry message whose attributes each have one part of values (a tree)."""
    listed = tuple(Tree(0x30, (octets(name), Tree(0x31, (values,)))) for name, values in attributes)
    operation = Tree(0x64, (octets(BASE_DN.encode()), Tree(0x30, listed)))
    return Tree(0x30, (integer(message_id), operation))


def expect_many_values(case: Case) -> set[ProbeReason | None]:
    return {ProbeReason.TOO_LARGE} if case["values"] > 1000 else NOT_OK


# huge length: a BER length claiming gigabytes --------------------------------------------


def draw_huge_length(rng: random.Random) -> Case:
    length_octets = rng.choice([4, 4, rng.randint(1, 127)])
    claim = rng.choice([2**31, 2**32 - 1, rng.getrandbits(8 * length_octets) | 1])
    return {
        "where": rng.choice(["bind", "search", "value"]),
        "length_octets": length_octets,
        "claim": claim % (256**length_octets),
        "then": rng.choice(["close", "stream", "burst", "reset"]),
        "burst": rng.randbytes(rng.randint(0, 4096)),
    }


def serve_huge_length(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    claim = bytes([0x80 | case["length_octets"]]) + case["claim"].to_bytes(
        case["length_octets"], "big"
    )
    if case["where"] != "bind":
        peer.send(ldap_message(message_id, bind_response()))
        message_id = peer.request()
    if case["where"] == "value":
        # A whole message, framed right, whose CRL value claims far more than it holds.
        value = b"\x04" + claim + case["burst"]
        body = octets(CRL) + tlv(0x31, value)
        peer.send(ldap_message(message_id, search_entry([tlv(0x30, body)])))
        peer.send(ldap_message(message_id, search_done()))
    else:
        peer.send(b"\x30" + claim + integer(message_id))
    if case["then"] == "stream":
        block = bytes(SEND_CHUNK)
        while True:
            peer.send(block)
    elif case["then"] == "burst":
        peer.send(case["burst"])
    _then(peer, case["then"])


# early close: the exchange cut anywhere --------------------------------------------------


def draw_early_close(rng: random.Random) -> Case:
    return {"cut": rng.random(), "how": rng.choice(["close", "reset", "shutdown"])}


def serve_early_close(peer: Peer, case: Case) -> None:
    # `cut` is where in the whole exchange (bind answer, entry, done) the server stops.
    bind = ldap_message(peer.request(), bind_response())
    search_length = len(ldap_message(2, crl_entry()) + ldap_message(2, search_done()))
    cut = int(case["cut"] * (len(bind) + search_length))
    peer.send(bind[:cut])
    if cut >= len(bind):
        message_id = peer.request()
        search = ldap_message(message_id, crl_entry()) + ldap_message(message_id, search_done())
        peer.send(search[: cut - len(bind)])
    if case["how"] == "shutdown":
        peer.connection.shutdown(socket.SHUT_WR)
        peer.hold()
    _then(peer, case["how"])


# wrong message id: answers that look right, for another request --------------------------


def draw_wrong_message_id(rng: random.Random) -> Case:
    return {
        "which": rng.choice(["bind", "entry", "done"]),
        "id": rng.choice([0, -1, 2**31 - 1, rng.randint(-(2**31), 2**31 - 1)]),
        "offset": rng.choice([1, -1, 1000]),
    }


def serve_wrong_message_id(peer: Peer, case: Case) -> None:
    def wrong(right: int) -> int:
        chosen: int = case["id"]
        return chosen if chosen != right else right + case["offset"]

    message_id = peer.request()
    bind_id = wrong(message_id) if case["which"] == "bind" else message_id
    peer.send(ldap_message(bind_id, bind_response()))
    message_id = peer.request()
    entry_id = wrong(message_id) if case["which"] == "entry" else message_id
    done_id = wrong(message_id) if case["which"] == "done" else message_id
    peer.send(ldap_message(entry_id, crl_entry()), ldap_message(done_id, search_done()))
    peer.hold()


# weird result: referrals and result codes no server should send --------------------------


def draw_weird_result(rng: random.Random) -> Case:
    return {
        "where": rng.choice(["bind", "search"]),
        "code": rng.choice([10, 10, 4, 9999, -1, 2**31 - 1, rng.randint(1, 200)]),
        # On loopback, a closed port: were a referral followed, it would go nowhere else.
        "referrals": [f"ldap://127.0.0.1:{rng.randint(1, 9)}/o=x".encode()] * rng.randint(0, 3),
        "entry": rng.random() < 0.5,
    }


def serve_weird_result(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    if case["where"] == "bind":
        peer.send(ldap_message(message_id, bind_response(case["code"], case["referrals"])))
        peer.hold()
        return
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    if case["entry"]:
        peer.send(ldap_message(message_id, crl_entry()))
    peer.send(ldap_message(message_id, search_done(case["code"], case["referrals"])))
    peer.hold()


# bad CRL: the attribute is there, the list is not a list ---------------------------------


def draw_bad_crl(rng: random.Random) -> Case:
    crl, arl = valid_lists()
    kind = rng.choice(["random", "mutated", "mutated", "cut", "empty"])
    if kind == "random":
        value = rng.randbytes(rng.randint(1, 2048))
    elif kind == "mutated":
        value = mutate_bytes(rng, crl)
    elif kind == "cut":
        value = crl[: rng.randrange(len(crl))]
    else:
        value = b""
    return {"crl": value, "arl": value if rng.random() < 0.3 else arl}


def serve_bad_crl(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    entry = ldap_message(message_id, crl_entry(case["crl"], case["arl"]))
    peer.send(entry, ldap_message(message_id, search_done()))
    peer.hold()


def expect_bad_crl(case: Case) -> set[ProbeReason | None]:
    # A mutation may leave a list that still parses (a flipped bit in a date, say).
    return {ProbeReason.BAD_CRL, ProbeReason.NO_CRL, None}


# huge CRL: a list that parses, with very many revoked certificates ----------------------


def draw_huge_crl(rng: random.Random) -> Case:
    return {"entries": rng.choice([150_000, 500_000, rng.randint(0, 100_000)])}


def serve_huge_crl(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    crl = Tree(0x04, (crl_with_entries(case["entries"]),))  # the value: an OCTET STRING
    arl = octets(valid_lists()[1])
    peer.send(stream(entry_tree(message_id, [(CRL, crl), (ARL, arl)])))
    peer.send(ldap_message(message_id, search_done()))
    peer.hold()


def expect_huge_crl(case: Case) -> set[ProbeReason | None]:
    return {ProbeReason.TOO_LARGE} if case["entries"] > 100_000 else {None}


# random BER: the real exchange, mutated --------------------------------------------------


def draw_random_ber(rng: random.Random) -> Case:
    bind = ldap_message(1, bind_response())
    search = ldap_message(2, crl_entry()) + ldap_message(2, search_done())
    return {
        "bind": mutate_bytes(rng, bind) if rng.random() < 0.5 else bind,
        "search": mutate_bytes(rng, search, rounds=rng.randint(1, 8)),
        "then": rng.choice(["close", "hold"]),
    }


def serve_random_ber(peer: Peer, case: Case) -> None:
    peer.request()
    peer.send(case["bind"])
    peer.request()
    peer.send(case["search"])
    _then(peer, case["then"])


# huge integer: a message id or result code of many octets --------------------------------


def draw_huge_integer(rng: random.Random) -> Case:
    return {
        "where": rng.choice(["bind", "entry", "done"]),
        "field": rng.choice(["message_id", "result_code"]),
        "octets": rng.choice([17, 1000, 64 * 1024, MiB, rng.randint(17, 4096)]),
        "fill": rng.randrange(1, 256),
    }


def serve_huge_integer(peer: Peer, case: Case) -> None:
    huge = bytes([case["fill"]]) * case["octets"]

    def answer(message_id: int, operation: Callable[..., bytes], where: str) -> bytes:
        if case["where"] != where:
            return ldap_message(message_id, operation())
        if case["field"] == "message_id":
            return ldap_message(huge, operation())
        result = operation()
        tag, code = result[0], tlv(0x0A, huge)
        return ldap_message(message_id, tlv(tag, code + octets(b"") + octets(b"")))

    message_id = peer.request()
    peer.send(answer(message_id, bind_response, "bind"))
    message_id = peer.request()
    if case["where"] == "entry":
        peer.send(ldap_message(huge, crl_entry()))
    else:
        peer.send(ldap_message(message_id, crl_entry()))
    peer.send(answer(message_id, search_done, "done"))
    peer.hold()


def expect_huge_integer(case: Case) -> set[ProbeReason | None]:
    return {ProbeReason.NO_RESPONSE}


# deep nesting: SETs in SETs in the attribute list ----------------------------------------


def draw_deep_nesting(rng: random.Random) -> Case:
    return {
        "depth": rng.choice([40, 500, 100_000, rng.randint(1, 2000)]),
        "tag": rng.choice([0x30, 0x31, 0xA0]),
    }


def serve_deep_nesting(peer: Peer, case: Case) -> None:
    message_id = peer.request()
    peer.send(ldap_message(message_id, bind_response()))
    message_id = peer.request()
    core = octets(b"x")
    backwards, length = bytearray(), len(core)
    for _ in range(case["depth"]):  # inside out: each level's header, for what it holds
        level = header(case["tag"], length)
        backwards += level[::-1]
        length += len(level)
    backwards.reverse()  # the outermost header first, each header's bytes in order
    nested = bytes(backwards) + core
    entry = ldap_message(message_id, search_entry([nested]))
    peer.send(entry, ldap_message(message_id, search_done()))
    peer.hold()


TARGETS: list[LdapScenario] = [
    LdapScenario(
        "garbage", draw_garbage, serve_garbage, examples_in_tests=5, expect=lambda _case: NOT_OK
    ),
    LdapScenario(
        "trickle",
        draw_trickle,
        serve_trickle,
        examples_in_tests=2,
        deadline=1.0,
        expect=lambda _case: {ProbeReason.NO_RESPONSE},
    ),
    LdapScenario(
        "endless_entries",
        draw_endless_entries,
        serve_endless_entries,
        expect=lambda _case: {ProbeReason.TOO_LARGE},
    ),
    LdapScenario(
        "many_small_entries",
        draw_many_small_entries,
        serve_many_small_entries,
        expect=expect_many_small_entries,
    ),
    LdapScenario("many_values", draw_many_values, serve_many_values, expect=expect_many_values),
    LdapScenario("huge_length", draw_huge_length, serve_huge_length),
    LdapScenario("early_close", draw_early_close, serve_early_close),
    LdapScenario(
        "wrong_message_id",
        draw_wrong_message_id,
        serve_wrong_message_id,
        expect=lambda _case: NOT_OK,
    ),
    LdapScenario("weird_result", draw_weird_result, serve_weird_result),
    LdapScenario("bad_crl", draw_bad_crl, serve_bad_crl, expect=expect_bad_crl),
    LdapScenario("huge_crl", draw_huge_crl, serve_huge_crl, expect=expect_huge_crl),
    LdapScenario("random_ber", draw_random_ber, serve_random_ber, examples_in_tests=5),
    LdapScenario("huge_integer", draw_huge_integer, serve_huge_integer, expect=expect_huge_integer),
    LdapScenario("deep_nesting", draw_deep_nesting, serve_deep_nesting),
]
