"""The virtual GoSign card: a complete card in software, speaking the card profile this
client implements (docs/card-profile.md).

`card` is the card itself (raw APDUs in, responses out), `state` what it remembers across
restarts, `testca` the test CA that issues its certificates, `vpcd` the bridge to pcscd's
vsmartcard driver, and `inprocess` a `ReaderBackend` for tests and the demo without pcscd.
The `ndnclient simulator` command is `ndnclient.cli.simulator`. Nothing here imports Qt or
pyscard.
"""

# vsmartcard's vpcd listens here for the first virtual reader ("Virtual PCD 00 00"); the
# second reader ("Virtual PCD 00 01") is the next port.
VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963
