#!/usr/bin/env bash
# Plugs the virtual GoSign card into pcscd's virtual reader (start), pulls it (stop), says
# whether it is in (status), or writes its test CA's certificate and prints where (ca). Its state (PIN counter, keys) is kept in
# ${NDNCLIENT_VIRTUAL_CARD_DIR:-~/.local/state/ndnclient}/virtual-card.json, so a card pulled and
# plugged in again remembers its counter, like a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${NDNCLIENT_VIRTUAL_CARD_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/ndnclient}
pidfile=$dir/virtual-card.pid
mkdir -p "$dir"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-start}" in
start)
    if running; then echo "virtual card: already in"; exit 0; fi
    # With Debian's slapd there, the card's CA repository runs beside it (G04 and G08 have
    # one to reach), unless the caller names a port of their own.
    repository=()
    if { command -v slapd >/dev/null || [ -x /usr/sbin/slapd ]; } \
        && [[ " ${*:2} " != *" --repository-port"* ]]; then
        repository=(--repository-port 38389)
    fi
    nohup .venv/bin/ndnclient simulator --state "$dir/virtual-card.json" "${repository[@]}" \
        "${@:2}" >"$dir/virtual-card.log" 2>&1 &
    echo $! >"$pidfile"
    # Wait until the smart-card service itself reports a card (it polls every 0.4 s).
    for _ in $(seq 50); do
        if .venv/bin/ndnclient card status --json 2>/dev/null \
            | .venv/bin/python -c 'import json,sys; sys.exit(json.load(sys.stdin)["card_type"] == "none")'
        then
            echo "virtual card: in (PIN 1234, unlock code 12345678 unless changed)"
            exit 0
        fi
        running || break
        sleep 0.1
    done
    echo "virtual card: did not come up; see $dir/virtual-card.log" >&2
    exit 1
    ;;
stop)
    if running; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile"
    echo "virtual card: out"
    ;;
status)
    if running; then echo "virtual card: in"; else echo "virtual card: out"; exit 1; fi
    ;;
ca)
    # The virtual card's test CA as PEM, for a run that is to trust it (prints the path).
    .venv/bin/python - "$dir/virtual-card.json" "$dir/virtual-ca.pem" <<'PY'
import sys
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.simulator.state import load_state

state = load_state(sys.argv[1])
Path(sys.argv[2]).write_bytes(state.test_ca().certificate.public_bytes(Encoding.PEM))
PY
    echo "$dir/virtual-ca.pem"
    ;;
*)
    echo "usage: $0 start [simulator options] | stop | status | ca" >&2
    exit 2
    ;;
esac
