"""The virtual GoSign card: a complete card-profile.md card in software.

`card` is the card itself (raw APDUs in, responses out), `state` what it remembers across
restarts, `testca` the test CA that issues its certificates, `vpcd` the bridge to pcscd's
vsmartcard driver, `inprocess` a `ReaderBackend` for tests without pcscd, and `main` the
`ndnclient simulator` command. Nothing here imports Qt or pyscard.
"""
