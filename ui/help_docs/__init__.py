"""The user guides and the pressure explanation, shipped with the package for Help (offline).

``docs/`` in the source tree is where they are written. A built package (wheel, PyInstaller
bundle) carries copies of ``BUNDLED`` and the screenshots they show in this folder
(``setup.py``'s build step, ``packaging/storemon.spec``); a source checkout reads ``docs/``.
No Qt here: the build imports this module to know what to copy.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DOCS = HERE.parent.parent / "docs"
"""``docs/`` of a source checkout (absent in an installed package)."""

STORE_GUIDE = "guide-store-manager.md"
REGION_GUIDE = "guide-regional-manager.md"
STAFF_GUIDE = "guide-staff.md"
PRESSURE = "pressure.md"
BUNDLED = (STORE_GUIDE, REGION_GUIDE, STAFF_GUIDE, PRESSURE)

_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def docs_folder() -> Path:
    """Where the shipped documents are: this package's copies, else the checkout's ``docs/``."""
    return HERE if (HERE / STORE_GUIDE).is_file() else SOURCE_DOCS


def doc_path(name: str) -> Path:
    """The file of the shipped document ``name`` (one of ``BUNDLED``)."""
    if name not in BUNDLED:
        raise ValueError(f"{name!r} is not a shipped document; one of {', '.join(BUNDLED)}")
    return docs_folder() / name


def images_of(markdown: str) -> list[str]:
    """Relative image paths a document shows (``![..](screenshots/x.png)``), to ship with it."""
    return [path for path in _IMAGE.findall(markdown) if "://" not in path]


def bundle_files(source: Path = SOURCE_DOCS) -> list[tuple[Path, str]]:
    """(file in ``docs/``, its path relative to this folder) for every file a build must copy."""
    files: list[tuple[Path, str]] = []
    for name in BUNDLED:
        path = source / name
        files.append((path, name))
        for image in images_of(path.read_text(encoding="utf-8")):
            if (source / image).is_file():
                files.append((source / image, image))
    return files
