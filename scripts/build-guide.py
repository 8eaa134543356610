"""Build the offline user guide (取扱説明書) from docs/user-guide.md.

    .venv/bin/python scripts/build-guide.py          write resources/guide/
    .venv/bin/python scripts/build-guide.py --check  exit 1 if resources/guide/ is out of date

The program opens resources/guide/index.html from its 「取扱説明書」 button, with no network, so
the HTML and the screenshots it shows (copied from docs/screenshots/ into images/) are
committed and travel with the frozen program like every other resource. Run this again after
changing the guide or regenerating the screenshots (scripts/setup.sh does, too).

The Markdown is the small subset the guide uses (no dependency for it): headings, paragraphs,
lists (items may hold indented paragraphs and images), tables, images, **bold** and `code`.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "user-guide.md"
OUT = ROOT / "resources" / "guide"
IMAGE_FOLDER = "images"

STYLE = """
body { font-family: "Yu Gothic UI", "Meiryo", "Noto Sans CJK JP", sans-serif; line-height: 1.7;
       max-width: 52em; margin: 2em auto; padding: 0 1em; color: #1f1f1f; }
h1 { font-size: 1.6em; border-bottom: 2px solid #2c5d9e; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-left: 6px solid #2c5d9e; padding-left: .4em; }
img { max-width: 100%; border: 1px solid #c4c7c5; margin: .5em 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #c4c7c5; padding: .3em .6em; vertical-align: top; }
th { background: #e8f0fe; }
code { background: #f1f3f4; padding: 0 .2em; }
"""

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`]+)`")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ORDERED = re.compile(r"^(\d+)\. ")


def inline(text: str, images: list[str]) -> str:
    """One line's Markdown as HTML: code spans first (their contents stay literal)."""
    parts = CODE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        part = html.escape(part, quote=False)

        def image(match: re.Match[str]) -> str:
            name = Path(match.group(2)).name
            images.append(match.group(2))
            alt = html.escape(match.group(1))
            return f'<img src="{IMAGE_FOLDER}/{name}" alt="{alt}">'

        def link(match: re.Match[str]) -> str:
            target = match.group(2)
            if target.startswith(("https://", "http://")):
                return f'<a href="{html.escape(target)}">{match.group(1)}</a>'
            return match.group(1)  # a file that is not bundled: its words only

        part = IMAGE.sub(image, part)
        part = LINK.sub(link, part)
        out.append(BOLD.sub(r"<strong>\1</strong>", part))
    return "".join(out)


def blocks(lines: list[str], images: list[str]) -> str:
    """Block-level Markdown (headings, paragraphs, lists, tables) as HTML."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{inline(line[level:].strip(), images)}</h{level}>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([cell.strip() for cell in lines[i].strip().strip("|").split("|")])
                i += 1
            head, body = rows[0], [row for row in rows[2:]]
            table = ["<table>", "<tr>" + "".join(f"<th>{inline(c, images)}</th>" for c in head)]
            table += [
                "<tr>" + "".join(f"<td>{inline(c, images)}</td>" for c in row) + "</tr>"
                for row in body
            ]
            out.append("\n".join([*table, "</table>"]))
        elif line.startswith("- ") or ORDERED.match(line):
            ordered = not line.startswith("- ")
            items: list[list[str]] = []
            while i < len(lines):
                line = lines[i]
                marker = _marker(line, ordered)
                if marker:
                    items.append([line[marker.end() :]])
                elif line.startswith("  "):
                    items[-1].append(line.strip() and line[len(line) - len(line.lstrip()) :])
                elif not line.strip() and i + 1 < len(lines) and lines[i + 1].startswith("  "):
                    items[-1].append("")  # a paragraph or an image inside the item follows
                elif not line.strip() and i + 1 < len(lines) and _marker(lines[i + 1], ordered):
                    pass  # a blank line between two items of the same list
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            rendered = "".join(f"<li>{_item(item, images)}</li>\n" for item in items)
            out.append(f"<{tag}>\n{rendered}</{tag}>")
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|")):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{inline(''.join(_joined(paragraph)), images)}</p>")
    return "\n".join(out)


def _marker(line: str, ordered: bool) -> re.Match[str] | None:
    return ORDERED.match(line) if ordered else re.match(r"^- ", line)


def _item(item: list[str], images: list[str]) -> str:
    """A list item: its first paragraph inline, what follows a blank line as blocks."""
    if "" not in item:
        return inline("".join(_joined(item)), images)
    cut = item.index("")
    return inline("".join(_joined(item[:cut])), images) + blocks(item[cut + 1 :], images)


def _joined(lines: list[str]) -> list[str]:
    """Japanese lines wrap without a space between them; an English word boundary keeps one."""
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1][-1:].isascii() and line[:1].isascii():
            joined.append(" ")
        joined.append(line)
    return joined


def render(source: Path = SOURCE) -> tuple[str, list[Path]]:
    """The guide's HTML, and the images it shows (paths in the source tree)."""
    text = source.read_text(encoding="utf-8")
    images: list[str] = []
    body = blocks(text.splitlines(), images)
    title = text.splitlines()[0].lstrip("# ").strip()
    page = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        "<!-- Made by scripts/build-guide.py from docs/user-guide.md: edit that file. -->\n"
        f"{body}\n</body>\n</html>\n"
    )
    return page, [source.parent / image for image in dict.fromkeys(images)]


def out_of_date(out: Path = OUT) -> list[str]:
    """What in `out` differs from a fresh build (empty: up to date)."""
    page, images = render()
    index = out / "index.html"
    stale = [] if index.is_file() and index.read_text(encoding="utf-8") == page else [str(index)]
    for image in images:
        copy = out / IMAGE_FOLDER / image.name
        if not copy.is_file() or copy.read_bytes() != image.read_bytes():
            stale.append(str(copy))
    return stale


def build(out: Path = OUT) -> list[Path]:
    page, images = render()
    (out / IMAGE_FOLDER).mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    wanted = {image.name for image in images}
    for old in (out / IMAGE_FOLDER).iterdir():
        if old.name not in wanted:
            old.unlink()  # a screenshot the guide no longer shows
    for image in images:
        shutil.copyfile(image, out / IMAGE_FOLDER / image.name)
    return [index, *(out / IMAGE_FOLDER / image.name for image in images)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args()
    if args.check:
        stale = out_of_date()
        for path in stale:
            print(f"build-guide: out of date: {path}", file=sys.stderr)
        if stale:
            print("build-guide: run .venv/bin/python scripts/build-guide.py", file=sys.stderr)
        sys.exit(1 if stale else 0)
    for written in build():
        print(f"wrote {written}")


if __name__ == "__main__":
    main()
