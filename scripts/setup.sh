#!/usr/bin/env bash
# Sets up everything ndnclient needs on Debian/Ubuntu, idempotently:
#   the smart-card service (pcscd) with the virtual reader driver (vsmartcard-vpcd),
#   what pyscard builds from (swig, libpcsclite-dev), OpenLDAP's slapd and iptables for the
#   operation check's tests, a virtual environment in .venv,
#   and the project installed in it (editable) with its test and development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(pcscd vsmartcard-vpcd libpcsclite-dev swig slapd iptables iproute2)

missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null; then
        echo "setup: please install these packages: ${missing[*]}" >&2
        exit 1
    fi
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "setup: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    # The Debian pcscd package starts its service via systemd where there is one; here we
    # start it ourselves when needed (scripts/run.sh, .ci/run, the tests).
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
echo "setup: ready (.venv/bin/ndnclient)"
