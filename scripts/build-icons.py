"""Render the application icon from its SVG source into PNGs and a multi-size .ico.

    .venv/bin/python scripts/build-icons.py [--out DIR]

resources/icons/ndnclient.svg is the source; the outputs (ndnclient-16.png … ndnclient-256.png
and ndnclient.ico) are committed beside it, so that a build needs no SVG renderer. Run this
again after changing the SVG. The .ico holds 16, 32 and 48 px as classic 32-bit bitmaps
(what every Windows tool, NSIS included, reads) and 256 px as PNG (as Windows stores it).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "ndnclient.svg"
SIZES = (16, 32, 48, 256)
# Bigger than this goes into the .ico as PNG; smaller as a bitmap.
PNG_FROM = 256


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs miss QIODevice
    buffer.close()
    return bytes(data.data())


def bitmap_bytes(image: QImage) -> bytes:
    """An icon entry as a DIB: a BITMAPINFOHEADER (height doubled for the mask), 32-bit BGRA
    rows bottom-up, then the 1-bit AND mask (all zero: the alpha channel decides)."""
    size = image.width()
    image = image.convertToFormat(QImage.Format.Format_ARGB32)  # BGRA in memory (little endian)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = bytes(image.constBits())
    stride = image.bytesPerLine()
    rows = b"".join(pixels[y * stride : y * stride + size * 4] for y in reversed(range(size)))
    mask_row = ((size + 31) // 32) * 4
    return header + rows + bytes(mask_row * size)


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries = [
        (size, png_bytes(image) if size >= PNG_FROM else bitmap_bytes(image))
        for size, image in sorted(images.items())
    ]
    out = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        side = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        out += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(data for _, data in entries)


def ico_sizes(data: bytes) -> list[int]:
    """The sizes an .ico file holds (256 for a 0 in its directory): for the tests and checks."""
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    if reserved != 0 or kind != 1:
        raise ValueError("not an .ico file")
    return [(data[6 + 16 * i] or 256) for i in range(count)]


def build(out: Path, source: Path = SOURCE) -> list[Path]:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"build-icons: {source} is not a valid SVG")
    out.mkdir(parents=True, exist_ok=True)
    images = {size: render(renderer, size) for size in SIZES}
    written = []
    for size, image in images.items():
        path = out / f"ndnclient-{size}.png"
        path.write_bytes(png_bytes(image))
        written.append(path)
    ico = out / "ndnclient.ico"
    ico.write_bytes(ico_bytes(images))
    written.append(ico)
    del app
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICONS, help="where the files go")
    args = parser.parse_args()
    for path in build(args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
