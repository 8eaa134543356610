#!/usr/bin/env bash
# Sets up everything ndnclient needs on Debian/Ubuntu, idempotently:
#   the smart-card service (pcscd) with the virtual reader driver (vsmartcard-vpcd),
#   what pyscard builds from (swig, libpcsclite-dev), OpenLDAP's slapd and iptables for the
#   operation check's tests, an X server and Japanese fonts for the GUI, NSIS, Wine and a
#   keyring service for the packaged program's checks, a virtual environment in .venv,
#   and the project installed in it (editable) with its test and development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    pcscd vsmartcard-vpcd libpcsclite-dev swig slapd iptables iproute2
    # The GUI on a real X server without a screen (the screenshots and the GUI's start test),
    # Japanese fonts, and the X libraries Qt's xcb platform plug-in loads; xdotool presses the
    # installer's buttons under Wine, and the Japanese locale shows its Japanese screens.
    xvfb xauth xdotool locales fonts-noto-cjk libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0 libxcb-cursor0
    libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
    libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
    # The packaged program: makensis compiles the 64-bit Windows installer, which the installer
    # tests run under Wine (tests/installer/); a real Secret Service on its own D-Bus shows the
    # frozen program finds its keyring.
    nsis wine64 dbus-daemon gnome-keyring
    # The saved operation-check report is checked as a browser shows it (headless Chromium).
    chromium
    postgresql  # the shared lending ledger's tests start a private cluster of their own
)

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

# Wine shows a Windows program in Japanese only when the Japanese locale exists here.
if ! locale -a 2>/dev/null | grep -qi '^ja_JP\.utf-\?8$'; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
        grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen \
            || echo 'ja_JP.UTF-8 UTF-8' | "${sudo[@]}" tee -a /etc/locale.gen >/dev/null
        "${sudo[@]}" locale-gen >/dev/null
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# The GUI's translations: the .qm files are built from the .ts sources, not kept in git.
bash scripts/build-translations.sh
# The offline user guide (取扱説明書) from docs/user-guide.md and the screenshots: committed,
# and brought up to date here in case either changed.
.venv/bin/python scripts/build-guide.py >/dev/null
echo "setup: ready (.venv/bin/ndnclient)"
