#!/usr/bin/env python3
"""Tools for the translator: merge another .ts, fill ours from a worksheet, check placeholders.

    .venv/bin/python scripts/translate_helpers.py todo                  # messages still to translate
    .venv/bin/python scripts/translate_helpers.py merge OTHER.ts        # take finished translations
    .venv/bin/python scripts/translate_helpers.py apply WORKSHEET.txt   # fill from a worksheet
    .venv/bin/python scripts/translate_helpers.py lint                  # placeholders, accelerators

The translations live in ui/i18n/storemon_zh_CN.ts; a worksheet is only a way to type many of
them at once. It has one ``[Context]`` line per context, then ``source ⇒ translation`` lines
(``\\n`` for a line break; one translation serves every plural form, as Chinese has one). Run
scripts/update_translations.py afterwards: lupdate rewrites the .ts in its own layout and
lrelease compiles the .qm.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "ui" / "i18n" / "storemon_zh_CN.ts"
ARROW = " ⇒ "

Key = tuple[str, str, str]
"""(context, source, disambiguation comment): how lupdate, lrelease and Qt tell messages apart."""

PLACEHOLDER = re.compile(r"%(?:\d+|n|v|m)|\{[A-Za-z_][^{}]*\}")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
ACCELERATOR = re.compile(r"&([A-Za-z0-9])")


def _messages(root: ET.Element) -> Iterator[tuple[Key, ET.Element]]:
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield (name, message.findtext("source") or "", message.findtext("comment") or ""), message


def is_finished(message: ET.Element) -> bool:
    translation = message.find("translation")
    if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    return bool(texts_of(message))


def texts_of(message: ET.Element) -> list[str]:
    """The translation, one entry per plural form ([] when empty)."""
    translation = message.find("translation")
    if translation is None:
        return []
    forms = [form.text or "" for form in translation.iter("numerusform")]
    if message.get("numerus") == "yes":
        return forms if any(forms) else []
    return [translation.text] if translation.text else []


def set_translation(message: ET.Element, text: str) -> None:
    """Set a finished translation; a plural message gets it as its one Chinese form."""
    translation = message.find("translation")
    if translation is None:
        translation = ET.SubElement(message, "translation")
    translation.attrib.pop("type", None)
    for child in list(translation):
        translation.remove(child)
    if message.get("numerus") == "yes":
        translation.text = None
        ET.SubElement(translation, "numerusform").text = text
    else:
        translation.text = text


def load(path: Path) -> ET.ElementTree:
    return ET.parse(path)


def save(tree: ET.ElementTree, path: Path) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n', encoding="utf-8")


def merge(tree: ET.ElementTree, other: ET.ElementTree) -> tuple[int, list[Key]]:
    """Copy finished translations of ``other`` into unfinished messages of ``tree``.

    Returns how many were taken and the keys of ``other`` that ``tree`` no longer has.
    """
    theirs = {key: texts_of(m) for key, m in _messages(other.getroot()) if is_finished(m)}
    ours = dict(_messages(tree.getroot()))
    taken = 0
    for key, texts in theirs.items():
        message = ours.get(key)
        if message is not None and not is_finished(message):
            set_translation(message, texts[0])
            taken += 1
    return taken, sorted(set(theirs) - set(ours))


def read_worksheet(path: Path) -> dict[Key, str]:
    entries: dict[Key, str] = {}
    context = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            context = line[1:-1]
            continue
        if context is None or ARROW not in line:
            raise SystemExit(f"{path}:{number}: expected [Context] or 'source{ARROW}translation'")
        source, text = line.split(ARROW, 1)
        entries[(context, source.replace("\\n", "\n"), "")] = text.replace("\\n", "\n")
    return entries


def apply(tree: ET.ElementTree, entries: dict[Key, str]) -> tuple[int, list[Key]]:
    """Set every message the worksheet names; returns the count and the names it did not find."""
    ours = dict(_messages(tree.getroot()))
    for key, text in entries.items():
        if key in ours:
            set_translation(ours[key], text)
    return sum(key in ours for key in entries), sorted(set(entries) - set(ours))


def todo(tree: ET.ElementTree) -> list[Key]:
    return [key for key, message in _messages(tree.getroot()) if not is_finished(message)]


def lint(tree: ET.ElementTree) -> list[str]:
    """Translations that lost or invented a placeholder, an HTML tag or the accelerator key."""
    problems = []
    for (context, source, _comment), message in _messages(tree.getroot()):
        for text in texts_of(message):
            where = f"{context}: {source!r} -> {text!r}"
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(f"placeholders differ: {where}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                problems.append(f"HTML tags differ: {where}")
            keys = [k.lower() for k in ACCELERATOR.findall(source.replace("&&", ""))]
            if keys != [k.lower() for k in ACCELERATOR.findall(text.replace("&&", ""))]:
                problems.append(f"accelerator differs: {where}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["todo", "merge", "apply", "lint"])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--ts", type=Path, default=TS)
    args = parser.parse_args()
    tree = load(args.ts)
    if args.command == "todo":
        for context, source, comment in todo(tree):
            print(f"[{context}] {source!r}" + (f" ({comment})" if comment else ""))
        return 0
    if args.command == "lint":
        problems = lint(tree)
        print("\n".join(problems + [f"{len(problems)} problem(s)"]))
        return 1 if problems else 0
    if args.file is None:
        parser.error(f"{args.command} needs a file")
    if args.command == "merge":
        taken, gone = merge(tree, load(args.file))
    else:
        taken, gone = apply(tree, read_worksheet(args.file))
    save(tree, args.ts)
    for context, source, _comment in gone:
        print(f"not in {args.ts.name}: [{context}] {source!r}")
    print(f"{taken} translation(s) set; {len(todo(tree))} message(s) still to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
