"""How long the window could not answer: a timer ticking on the GUI thread, and its longest gap.

Shared by the responsiveness tests and the Region screen benchmark. A 15 ms tick costs nothing
measurable; the longest interval between two ticks bounds every pause the user could have felt.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

TICK_MS = 15


class GapLogger:
    """``start()``, let the event loop run, then ``stop()`` gives the longest gap in seconds."""

    def __init__(self, tick_ms: int = TICK_MS) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        self.ticks.append(time.perf_counter())
        return self.longest()

    def longest(self) -> float:
        """The longest gap so far (seconds)."""
        return max((b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)), default=0.0)

    def worst(self, count: int = 3) -> str:
        """The longest gaps with when they began (seconds after ``start``), for a failure message."""
        gaps = sorted(
            ((b - a, a - self.ticks[0]) for a, b in zip(self.ticks, self.ticks[1:], strict=False)),
            reverse=True,
        )
        return ", ".join(f"{gap * 1000:.0f} ms at {at:.2f} s" for gap, at in gaps[:count])
