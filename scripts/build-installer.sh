#!/usr/bin/env bash
# Compiles the Windows installer installer/ndnclient.nsi with makensis (Debian `nsis`): a 64-bit
# installer (NSIS target amd64-unicode).
#   bash scripts/build-installer.sh          from dist/ndnclient/ (the Windows workflow's build)
#   bash scripts/build-installer.sh --check [--out DIR] [--version X.Y.Z]
#       from a stand-in payload: two copies of a small stand-in program
#       (installer/check/standin.nsi) as ndnclient.exe and ndnclient-gui.exe, and a file in
#       _internal. The installer tests run it under Wine (tests/installer/); CI builds it once
#       more on its own. Writes DIR/ndnclient-setup-check.exe (default DIR build/installer-check)
#       and DIR/standin.exe.
set -euo pipefail
cd "$(dirname "$0")/.."
# The version from its one place (ndnclient/_version.py), read without Python: the Windows
# workflow builds the installer on a runner that has only the frozen folder and this checkout.
VERSION="$(sed -n 's/^VERSION = "\(.*\)"$/\1/p' ndnclient/_version.py)"
[ -n "$VERSION" ] || { echo "build-installer: no VERSION in ndnclient/_version.py" >&2; exit 1; }

check=0
warnings_are_errors=()
out_dir=build/installer-check
while (($#)); do
    case "$1" in
        --check) check=1 ;;
        --out) out_dir="$2"; shift ;;
        --version) VERSION="$2"; shift ;;
        *) echo "build-installer: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
# The installer's own version resource takes four numbers: 0.1.0.dev1 → 0.1.0.0.
IFS=. read -r major minor patch <<<"$(grep -o '[0-9]\+' <<<"${VERSION%%+*}" | head -3 | paste -sd.)"
FILE_VERSION="${major:-0}.${minor:-0}.${patch:-0}.0"

if ((check)); then
    mkdir -p "$out_dir"
    out_dir="$(cd "$out_dir" && pwd)"
    dist="$out_dir/ndnclient"
    rm -rf "$dist"
    mkdir -p "$dist/_internal"
    makensis -V2 -WX -DOUTFILE="$out_dir/standin.exe" installer/check/standin.nsi
    cp "$out_dir/standin.exe" "$dist/ndnclient.exe"
    cp "$out_dir/standin.exe" "$dist/ndnclient-gui.exe"
    echo "a stand-in for the program's libraries" > "$dist/_internal/placeholder.txt"
    out="$out_dir/ndnclient-setup-check.exe"
    # A warning fails the check: the NSIS here is known. The release build (the Windows
    # workflow, on another NSIS) must not fail on a warning a newer makensis adds.
    warnings_are_errors=(-WX)
else
    dist="$PWD/dist/ndnclient"
    out="$PWD/dist/ndnclient-setup-$VERSION.exe"
    [ -f "$dist/ndnclient.exe" ] || { echo "no $dist/ndnclient.exe: build on Windows first" >&2; exit 1; }
fi

# makensis resolves the paths against the script's folder.
makensis -V2 "${warnings_are_errors[@]}" -DVERSION="$VERSION" -DFILE_VERSION="$FILE_VERSION" -DDIST="$dist" -DOUTFILE="$out" \
    installer/ndnclient.nsi
# A Windows program: it starts with "MZ".
[ "$(head -c 2 "$out")" = "MZ" ] || { echo "build-installer: $out is not a Windows program" >&2; exit 1; }
echo "build-installer: $out ($(du -h "$out" | cut -f1))"
