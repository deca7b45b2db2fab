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


RUNNABLE = {"report", "whatif", "recommend", "rules", "alert", "call", "relief", "audit"}
"""Subcommands that read or act on a demo chain and finish by themselves: these are run as written."""


def _runnable() -> list[tuple[str, list[str]]]:
    chosen = []
    for where, args in COMMANDS:
        if "--db" in args or not args:
            continue  # they name files or servers of the reader's own
        words = [a for a in args if not a.startswith("-")]
        first = args[2] if args[0] == "--as" else args[0]
        if first in RUNNABLE or words[:2] == ["db", "upgrade"]:
            chosen.append((where, args))
    return chosen


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    """A demo chain whose dates match the docs' examples (March 2026)."""
    import os

    from storemon.cli import main

    home = tmp_path_factory.mktemp("docs-home")
    old = os.environ.get("STOREMON_HOME")
    os.environ["STOREMON_HOME"] = str(home)
    try:
        assert main(["demo", "--stores", "6", "--weeks", "3", "--anchor", "2026-03-10"]) == 0
    finally:
        if old is None:
            os.environ.pop("STOREMON_HOME")
        else:
            os.environ["STOREMON_HOME"] = old
    return home


@pytest.mark.parametrize(("where", "args"), _runnable(), ids=[c[0][:80] for c in _runnable()])
def test_documented_command_runs_on_the_demo_chain(where, args, demo_home, monkeypatch, tmp_path):
    from storemon.cli import main

    monkeypatch.setenv("STOREMON_HOME", str(demo_home))
    monkeypatch.chdir(ROOT)
    if "--output" in args:
        args = [*args[: args.index("--output") + 1], str(tmp_path / args[args.index("--output") + 1])]
    assert main(args) == 0, where
