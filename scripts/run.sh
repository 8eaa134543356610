#!/usr/bin/env bash
# One command: set everything up and run ndnclient. When no reader holds a card, the
# virtual GoSign card is plugged in first. Arguments go to ndnclient; without any, the
# window opens where there is a display, and `card status` is shown where there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
bash scripts/start-pcscd.sh
card_type=$(.venv/bin/ndnclient card status --json 2>/dev/null \
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["card_type"])' || true)
if [ "$card_type" = "none" ] || [ -z "$card_type" ]; then
    bash scripts/virtual-card.sh start >&2
fi
if bash scripts/virtual-card.sh status >/dev/null 2>&1; then
    # On the virtual card, its test CA is trusted for this run only (G09 reads the anchors
    # SSL_CERT_FILE names, as a real PC's store holds the issuer's root); nothing is installed.
    SSL_CERT_FILE=$(bash scripts/virtual-card.sh ca)
    export SSL_CERT_FILE
fi
if [ $# -eq 0 ]; then
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then set -- gui; else set -- card status; fi
fi
exec .venv/bin/ndnclient "$@"
