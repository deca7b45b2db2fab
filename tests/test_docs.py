"""No stale command in the docs: every `storemon ...` line in README.md and docs/ must parse."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from storemon.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(?:sh|bash|console)\n(.*?)```", re.S)
COMMAND = re.compile(r"^(?:[A-Z_]+=\S*\s+)*(?:\.venv/bin/)?storemon\s")


def _commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in FENCE.findall(page.read_text(encoding="utf-8")):
            for line in block.splitlines():
                line = line.split("  #")[0].strip()
                if not COMMAND.match(line):
                    continue
                words = shlex.split(line)
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                    words.pop(0)  # environment assignments before the command
                if words and words[0] in ("storemon", ".venv/bin/storemon"):
                    found.append((f"{page.name}: {line}", words[1:]))
    return found


COMMANDS = _commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) >= 15


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[c[0][:80] for c in COMMANDS])
def test_documented_command_is_a_real_storemon_command(where, args):
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"{where}: storemon rejects these arguments (exit {exc.code})")
