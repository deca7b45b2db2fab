#!/usr/bin/env python3
"""Keep the translations current: extract strings (pyside6-lupdate), compile .qm (pyside6-lrelease).

    .venv/bin/python scripts/update_translations.py          # update ui/i18n/*.ts and *.qm
    .venv/bin/python scripts/update_translations.py --check  # fail if anything is stale or untranslated

Sources are every .py file under ui/. The check (run by the test suite) extracts into a
temporary file and compares: a string in the code but not in the committed .ts, a string
without a Chinese translation, or a .qm that differs from a fresh compile all fail it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "ui" / "i18n"
LANGUAGES = ["zh_CN"]


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found; install PySide6 into this environment")
    return found


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))


def lupdate(ts: Path) -> None:
    subprocess.run(
        [tool("pyside6-lupdate"), "-silent", "-no-obsolete", *sources(), "-ts", str(ts)], cwd=ROOT, check=True
    )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], cwd=ROOT, check=True)


def messages(ts: Path) -> dict[tuple[str, str, str], str | None]:
    """(context, source, disambiguation) -> translation, None where unfinished or empty."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in (
                "unfinished",
                "vanished",
                "obsolete",
            )
            text = translation.text if done and translation is not None else None
            found[(name, message.findtext("source"), message.findtext("comment") or "")] = text or None
    return found


def check() -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for language in LANGUAGES:
            committed = I18N / f"storemon_{language}.ts"
            if not committed.exists():
                return [f"{committed} is missing: run scripts/update_translations.py"]
            fresh = Path(tmp) / committed.name
            shutil.copy(committed, fresh)
            lupdate(fresh)
            have, want = messages(committed), messages(fresh)
            for key in sorted(set(want) - set(have)):
                problems.append(f"{committed.name}: new string not extracted yet: {key[0]}: {key[1]!r}")
            for key, text in sorted(have.items()):
                if key in want and text is None:
                    problems.append(f"{committed.name}: no translation for {key[0]}: {key[1]!r}")
            qm = I18N / f"storemon_{language}.qm"
            compiled = Path(tmp) / qm.name
            lrelease(committed, compiled)
            if not qm.exists() or qm.read_bytes() != compiled.read_bytes():
                problems.append(
                    f"{qm.name} is not the compiled {committed.name}: run scripts/update_translations.py"
                )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        print(f"translations: {len(problems)} problem(s)")
        return 1 if problems else 0
    for language in LANGUAGES:
        ts = I18N / f"storemon_{language}.ts"
        lupdate(ts)
        lrelease(ts, I18N / f"storemon_{language}.qm")
        missing = sum(1 for text in messages(ts).values() if text is None)
        print(f"{ts.relative_to(ROOT)}: {len(messages(ts))} strings, {missing} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
