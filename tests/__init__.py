"""Storemon's tests. ``ROOT`` is the repository: paths and child processes start from it, so no
test depends on the folder pytest was started in."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
