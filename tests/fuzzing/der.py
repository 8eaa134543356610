"""A small DER tree, for hostile certificates and CRLs: parse, edit a node, encode again with
the lengths right, and sign again so that a chain or a CRL check gets past the signature.

Only what certificates use: one-byte tags, definite lengths. An OCTET STRING whose content
is one DER object (an extension's value) and a BIT STRING holding a SEQUENCE (a public key)
are opened, so an edit can reach inside them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from tests.fuzzing import mutate_bytes

SEQUENCE, SET = 0x30, 0x31
INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x02, 0x03, 0x04, 0x05, 0x06
UTF8, PRINTABLE, T61, IA5, UTC_TIME, GENERALIZED_TIME = 0x0C, 0x13, 0x14, 0x16, 0x17, 0x18
UNIVERSAL_STRING, BMP_STRING = 0x1C, 0x1E


@dataclass
class Node:
    tag: int
    content: bytes = b""  # a primitive's value
    children: list[Node] | None = None  # a constructed (or opened) node's parts
    wrapper: int | None = None  # an opened OCTET or BIT STRING: the tag it wraps in
    unused_bits: int = 0

    def encode(self) -> bytes:
        if self.children is None:
            body = self.content
        else:
            body = b"".join(child.encode() for child in self.children)
            if self.wrapper == BIT_STRING:
                body = bytes([self.unused_bits]) + body
        return tlv(self.tag, body)

    def walk(self) -> Iterator[tuple[Node, Node | None]]:
        """Every node under this one (itself first), with its parent."""
        stack: list[tuple[Node, Node | None]] = [(self, None)]
        while stack:
            node, parent = stack.pop()
            yield node, parent
            for child in reversed(node.children or []):
                stack.append((child, node))


def length_octets(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + length_octets(len(content)) + content


def oid_content(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    first = [arcs[0] * 40 + arcs[1], *arcs[2:]]
    out = bytearray()
    for arc in first:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def _read(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the object at `offset`."""
    if offset + 2 > len(data):
        raise ValueError("truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte tag")
    first = data[offset + 1]
    start = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise ValueError("truncated content")
    return tag, start, end


def parse_all(data: bytes, depth: int = 0) -> list[Node]:
    """Every object in `data`, which they must fill exactly (ValueError otherwise)."""
    if depth > 40:
        raise ValueError("too deep")
    nodes: list[Node] = []
    offset = 0
    while offset < len(data):
        tag, start, end = _read(data, offset)
        nodes.append(_node(tag, data[start:end], depth))
        offset = end
    return nodes


def _node(tag: int, content: bytes, depth: int) -> Node:
    if tag & 0x20:
        return Node(tag, children=parse_all(content, depth + 1))
    if tag == OCTET_STRING and content:
        try:
            inner = parse_all(content, depth + 1)
        except ValueError:
            inner = []
        if len(inner) == 1:
            return Node(tag, children=inner, wrapper=OCTET_STRING)
    if tag == BIT_STRING and len(content) > 1 and content[0] == 0 and content[1] == SEQUENCE:
        try:
            inner = parse_all(content[1:], depth + 1)
        except ValueError:
            inner = []
        if len(inner) == 1:
            return Node(tag, children=inner, wrapper=BIT_STRING)
    return Node(tag, content)


def parse(der: bytes) -> Node:
    nodes = parse_all(der)
    if len(nodes) != 1:
        raise ValueError("not one object")
    return nodes[0]


# --- signing again ---------------------------------------------------------------------------


def sign_again(top: Node, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    """The certificate or CRL `top` (tbs, algorithm, signature) with its signature made
    again over its (edited) tbs, with the algorithm it names left as it is."""
    parts = top.children or []
    if len(parts) != 3:
        return top.encode()
    tbs = parts[0].encode()
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    parts[2] = Node(BIT_STRING, b"\x00" + signature)
    return top.encode()


# --- named edits -----------------------------------------------------------------------------

COMMON_NAME = oid_content("2.5.4.3")
COUNTRY_NAME = oid_content("2.5.4.6")
STRING_TAGS = (UTF8, PRINTABLE, T61, IA5, UNIVERSAL_STRING, BMP_STRING, 0x12, 0x1A, 0x15)
ODD_TAGS = (BIT_STRING, OCTET_STRING, INTEGER, NULL, OID, 0x01, SEQUENCE, SET, 0x0A, 0x80)
ODD_OIDS = (
    "1.2.3.4",  # nothing
    "1.2.840.113549.1.1.2",  # md2WithRSAEncryption
    "1.2.840.113549.1.1.4",  # md5WithRSAEncryption
    "1.2.840.113549.1.1.5",  # sha1WithRSAEncryption
    "1.2.840.113549.1.1.10",  # RSASSA-PSS, parameters required
    "1.2.840.10045.4.3.2",  # ecdsa-with-SHA256
    "1.3.101.112",  # Ed25519
    "2.16.840.1.101.3.4.3.2",  # dsa-with-sha256
    "1.2.840.10046.2.1",  # X9.42 Diffie-Hellman
    "1.2.840.113549.1.3.1",  # PKCS#3 Diffie-Hellman
    "2.16.840.1.101.3.4.3.17",  # ML-DSA-44
    "1.2.156.10197.1.501",  # SM2 with SM3
    "2.5.29.17",  # subjectAltName
    "2.5.29.19",  # basicConstraints
    "2.5.29.15",  # keyUsage
    "2.5.29.31",  # cRLDistributionPoints
    "2.5.29.20",  # cRLNumber
    "2.5.29.21",  # reasonCode
    "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
    "2.5.4.45",  # x500UniqueIdentifier
)
ODD_TIMES = (
    b"99991231235959Z",
    b"00000101000000Z",
    b"19500101000000Z",
    b"20491231235959Z",
    b"20501301000000Z",
    b"20240230000000Z",
    b"20240101000000",
    b"20240101000000+0900",
    b"2024010100Z",
    b"491231235959Z",
    b"500101000000Z",
    b"991231235960Z",
    b"",
)
ODD_INTEGERS = (
    b"",
    b"\x00",
    b"\x00\x00\x01",
    b"\x80",
    b"\xff",
    b"\x01",
    b"\x05",
    b"\x7f" + b"\xff" * 40,
    b"\x00" * 21,
    b"\xff" * 9,
)
ODD_STRINGS = (
    b"",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\x00",
    b"JPN",
    "電子 花子".encode(),
    "電子".encode("utf-16-be"),
    b"a" * 300,
    b"\x1b[31m",
    b"*.example.jp",
    b"\xf4\x90\x80\x80",
)


def swap_string_type(rng: random.Random, top: Node, name_oid: bytes | None = None) -> bool:
    """A name attribute's value re-tagged (a CN as BIT STRING, ...)."""
    found = [
        children[1]
        for node, _ in top.walk()
        if node.tag == SEQUENCE
        and (children := node.children) is not None
        and len(children) == 2
        and children[0].tag == OID
        and (name_oid is None or children[0].content == name_oid)
        and children[1].children is None
        and children[1].tag in STRING_TAGS
    ]
    if not found:
        return False
    value = rng.choice(found)
    value.tag = rng.choice((*ODD_TAGS, *STRING_TAGS))
    return True


def _tbs(top: Node) -> Node | None:
    return top.children[0] if top.children else None


def name_values(top: Node, name_oid: bytes) -> list[Node]:
    """The value of every name attribute of type `name_oid` (the issuer's and the
    subject's), to re-tag or replace."""
    return [
        parts[1]
        for node, _ in top.walk()
        if node.tag == SEQUENCE
        and (parts := node.children) is not None
        and len(parts) == 2
        and parts[0].tag == OID
        and parts[0].content == name_oid
    ]


def extensions_of(top: Node) -> list[Node] | None:
    """The extensions of a certificate ([3]) or CRL ([0]): the list inside, to edit."""
    tbs = _tbs(top)
    if tbs is None or tbs.children is None:
        return None
    for part in tbs.children:
        inner = part.children[0].children if part.children else None
        if part.tag in (0xA3, 0xA0) and inner and all(e.tag == SEQUENCE for e in inner):
            return inner
    return None


def duplicate_extension(rng: random.Random | None, top: Node) -> bool:
    """One extension twice (a random one; without `rng`, the first)."""
    extensions = extensions_of(top)
    if not extensions:
        return False
    extensions.append(_copy(rng.choice(extensions) if rng is not None else extensions[0]))
    return True


def set_version(top: Node, value: bytes) -> bool:
    """tbsCertificate's [0] version, or a CRL's version INTEGER, set to `value`."""
    tbs = _tbs(top)
    if tbs is None or not tbs.children:
        return False
    first = tbs.children[0]
    if first.tag == 0xA0 and first.children:
        first.children[0] = Node(INTEGER, value)
        return True
    if first.tag == INTEGER and len(tbs.children) > 5:  # a certificate without [0]: v1
        tbs.children.insert(0, Node(0xA0, children=[Node(INTEGER, value)]))
        return True
    if first.tag == INTEGER:  # a CRL
        first.content = value
        return True
    return False


def set_signature_algorithm(top: Node, dotted: str, *, inner_too: bool = True) -> bool:
    parts = top.children or []
    if len(parts) != 3 or parts[1].children is None:
        return False
    algorithm = Node(SEQUENCE, children=[Node(OID, oid_content(dotted))])
    parts[1] = algorithm
    tbs = parts[0].children or []
    if inner_too:
        for index, part in enumerate(tbs[:3]):
            if part.tag == SEQUENCE and part.children and part.children[0].tag == OID:
                tbs[index] = _copy(algorithm)
                break
    return True


def _copy(node: Node) -> Node:
    return Node(
        node.tag,
        node.content,
        None if node.children is None else [_copy(c) for c in node.children],
        node.wrapper,
        node.unused_bits,
    )


# --- random edits over the tree -------------------------------------------------------------


def mutate_tree(rng: random.Random, top: Node, rounds: int | None = None) -> None:
    """A few edits at random nodes: a new tag, a new value, a node removed, doubled, moved;
    each keeps the lengths right (they are computed when encoded)."""
    for _ in range(rounds if rounds is not None else rng.randint(1, 3)):
        nodes = list(top.walk())
        node, parent = rng.choice(nodes)
        choice = rng.randrange(10)
        if choice == 0:
            if node.children is not None and rng.random() < 0.5:
                node.content = b"".join(c.encode() for c in node.children)
                node.children = None
                node.wrapper = None
            node.tag = rng.choice((*ODD_TAGS, *STRING_TAGS, UTC_TIME, GENERALIZED_TIME, 0xA0))
        elif choice == 1 and node.children is None:
            node.content = _odd_content(rng, node.tag)
        elif choice == 2 and parent is not None and parent.children:
            parent.children.remove(node)
        elif choice == 3 and parent is not None and parent.children is not None:
            parent.children.insert(rng.randrange(len(parent.children) + 1), _copy(node))
        elif choice == 4 and node.children is None:
            node.content = mutate_bytes(rng, node.content)
        elif choice == 5 and parent is not None and parent.children and len(parent.children) > 1:
            rng.shuffle(parent.children)
        elif choice == 6 and node.children is not None:
            other, _ = rng.choice(nodes)
            if other is not node and not any(n is node for n, _ in other.walk()):
                node.children.insert(rng.randrange(len(node.children) + 1), _copy(other))
        elif choice == 7 and node.children is not None:
            node.children[:] = node.children * rng.choice((0, 2, 3))
        elif choice == 8:
            swap_string_type(rng, top)
        else:
            node.tag ^= 1 << rng.randrange(8)


def _odd_content(rng: random.Random, tag: int) -> bytes:
    if tag in (UTC_TIME, GENERALIZED_TIME):
        return rng.choice(ODD_TIMES)
    if tag == INTEGER:
        return rng.choice(ODD_INTEGERS)
    if tag == OID:
        return oid_content(rng.choice(ODD_OIDS)) if rng.random() < 0.8 else rng.randbytes(3)
    if tag in STRING_TAGS:
        return rng.choice(ODD_STRINGS)
    if tag == 0x01:
        return rng.choice((b"", b"\x00", b"\x01", b"\xff", b"\xff\xff"))
    if tag == BIT_STRING:
        return rng.choice((b"", b"\x00", b"\x08\xff", b"\x07\x80", b"\x05\xa0", b"\x00" * 5))
    return rng.randbytes(rng.randint(0, 12))


# --- edits of values that keep each value well-formed for its type ---------------------------

BOOLEAN = 0x01
VALID_TIMES = {
    UTC_TIME: (
        b"500101000000Z",
        b"491231235959Z",
        b"260601030000Z",
        b"260531150000Z",
        b"260602150000Z",
        b"250401000000Z",
        b"991231235959Z",
        b"000229000000Z",
        b"700101000000Z",
    ),
    GENERALIZED_TIME: (
        b"99991231235959Z",
        b"00010101000000Z",
        b"19000101000000Z",
        b"20260601030000Z",
        b"20260530000000Z",
        b"20500101000000Z",
        b"20381231235959Z",
        b"19700101000000Z",
    ),
}
VALID_STRINGS = {
    PRINTABLE: (b"", b"JP", b"JPN", b"J", b"A B-C", b"x" * 200, b"9392000012345678"),
    UTF8: (
        b"",
        "電子 花子".encode(),
        "🀄".encode(),
        b"\x00",
        b"a\x1b[31mb",
        "ｶﾀｶﾅ".encode(),
        ("長" * 70).encode(),
        b"*.example.jp",
        "例え.jp".encode(),
    ),
    IA5: (b"", b"www.example.jp", b"a@b", b"*.*", b"xn--r8jz45g.jp", b"\x7f", b"ldap://x/"),
    BMP_STRING: (b"", "電子".encode("utf-16-be"), b"\xd8\x00"),
    UNIVERSAL_STRING: (b"", "電".encode("utf-32-be")),
    T61: (b"", b"abc", b"\xc2e"),
}


def _integer(value: int) -> bytes:
    length = max(1, (value.bit_length() + 8) // 8)
    return value.to_bytes(length, "big", signed=True)


def edit_values(rng: random.Random, top: Node, rounds: int | None = None) -> None:
    """A few primitive values replaced by others of the same type, well-formed (odd times,
    serial numbers, names, OIDs, flags): the structure parses, what it says is hostile."""
    for _ in range(rounds if rounds is not None else rng.randint(1, 3)):
        primitives = [
            node
            for node, _ in top.walk()
            if node.children is None
            and node.tag in (INTEGER, OID, BOOLEAN, BIT_STRING, *VALID_TIMES, *VALID_STRINGS)
        ]
        if not primitives:
            return
        node = rng.choice(primitives)
        if node.tag in VALID_TIMES:
            node.content = rng.choice(VALID_TIMES[node.tag])
            if rng.random() < 0.3:  # the other kind of time, with its own form
                node.tag = GENERALIZED_TIME if node.tag == UTC_TIME else UTC_TIME
                node.content = rng.choice(VALID_TIMES[node.tag])
        elif node.tag in VALID_STRINGS:
            node.content = rng.choice(VALID_STRINGS[node.tag])
        elif node.tag == INTEGER:
            node.content = _integer(
                rng.choice((0, 1, 2, 3, -1, 255, 2**64, 2**159 - 1, 2**160, -(2**70)))
                if rng.random() < 0.7
                else rng.randrange(-(2**200), 2**200)
            )
        elif node.tag == OID:
            node.content = oid_content(rng.choice(ODD_OIDS))
        elif node.tag == BOOLEAN:
            node.content = rng.choice((b"\x00", b"\xff"))
        elif len(node.content) <= 4:  # a short BIT STRING: flags (key usage, reasons)
            unused = rng.randrange(8)
            body = rng.randbytes(rng.randint(0, 2))
            if body:
                body = body[:-1] + bytes([body[-1] & (0xFF << unused) & 0xFF])
            node.content = bytes([unused if body else 0]) + body
