"""Render packaging/icons/storemon.svg to the PNG sizes desktops (and the Windows build) use.

    .venv/bin/python packaging/render_icons.py

Uses Qt's own SVG renderer (QSvgRenderer), so no other tool is needed; run it after editing
the SVG and commit the PNGs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / "storemon.svg"
    for size in SIZES:
        target = ICONS / f"storemon-{size}.png"
        if not render(svg, size).save(str(target), "PNG"):
            raise SystemExit(f"{target}: could not write")
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
