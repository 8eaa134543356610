"""The PC/SC card layer: APDUs, the GoSign protocol, PIN safety, readers. No Qt here;
only `ndnclient.card.pcsc` imports pyscard."""
