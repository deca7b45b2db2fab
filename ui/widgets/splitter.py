"""A splitter between two panes, set up the way every screen wants it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget


def splitter(
    orientation: Qt.Orientation,
    panes: tuple[QWidget, QWidget],
    stretch: tuple[int, int],
    sizes: list[int] | None = None,
) -> QSplitter:
    """Two panes that share the room by ``stretch`` and never collapse to nothing."""
    split = QSplitter(orientation)
    split.setChildrenCollapsible(False)
    for index, pane in enumerate(panes):
        split.addWidget(pane)
        split.setStretchFactor(index, stretch[index])
    if sizes:
        split.setSizes(sizes)
    return split
