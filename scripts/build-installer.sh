#!/usr/bin/env bash
# Compiles the Windows installer installer/ndnclient.nsi with makensis (Debian `nsis`).
#   bash scripts/build-installer.sh          from dist/ndnclient/ (the Windows workflow's build)
#   bash scripts/build-installer.sh --check  from a stand-in folder: CI's check, on Linux, that
#                                            the script compiles (no Windows build here)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="$("${VENV:-.venv}"/bin/python -c 'import ndnclient; print(ndnclient.__version__)')"
# The installer's own version resource takes four numbers: 0.1.0.dev1 → 0.1.0.0.
FILE_VERSION="$("${VENV:-.venv}"/bin/python -c 'import re, ndnclient
numbers = re.findall(r"\d+", ndnclient.__version__.split("+")[0])[:3]
print(".".join((numbers + ["0"] * 4)[:4]))')"

if [ "${1:-}" = "--check" ]; then
    # The files the script names, empty: what is checked is the script, not the program.
    dist=build/installer-check/ndnclient
    rm -rf build/installer-check
    mkdir -p "$dist/_internal"
    : > "$dist/ndnclient.exe"
    : > "$dist/ndnclient-gui.exe"
    : > "$dist/_internal/placeholder"
    out=build/installer-check/ndnclient-setup-check.exe
else
    dist=dist/ndnclient
    out="dist/ndnclient-setup-$VERSION.exe"
    [ -f "$dist/ndnclient.exe" ] || { echo "no $dist/ndnclient.exe: build on Windows first" >&2; exit 1; }
fi

# makensis resolves the paths against the script's folder.
makensis -V2 -WX -DVERSION="$VERSION" -DFILE_VERSION="$FILE_VERSION" -DDIST="$PWD/$dist" -DOUTFILE="$PWD/$out" \
    installer/ndnclient.nsi
# A Windows program: it starts with "MZ".
[ "$(head -c 2 "$out")" = "MZ" ] || { echo "build-installer: $out is not a Windows program" >&2; exit 1; }
echo "build-installer: $out ($(du -h "$out" | cut -f1))"
