"""The task runner owns result routing: dropped when the parent is gone, latest request wins."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QProgressBar, QWidget

from storemon.errors import StoremonError
from ui.tasks import TaskRunner


def _gated(value, gate: threading.Event):
    def work(_control):
        assert gate.wait(10), "the test never opened the gate"
        return value

    return work


def test_a_result_arriving_after_its_screen_closed_is_dropped(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    got: list[str] = []
    gate = threading.Event()
    runner.op(screen, _gated("late", gate), got.append)
    screen.deleteLater()
    qtbot.waitUntil(lambda: runner.busy == 1)
    qtbot.wait(10)  # let deleteLater run before the result arrives
    gate.set()
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert got == []


def test_an_older_request_never_overwrites_a_newer_one(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    shown: list[str] = []
    slow_gate, fast_gate = threading.Event(), threading.Event()
    first = runner.op(screen, _gated("Monday", slow_gate), shown.append, key="week")
    runner.op(screen, _gated("Tuesday", fast_gate), shown.append, key="week")
    fast_gate.set()
    qtbot.waitUntil(lambda: shown == ["Tuesday"], timeout=5000)
    slow_gate.set()
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert shown == ["Tuesday"]
    assert first._control.cancelled.is_set(), "the superseded task was not asked to stop"


def test_different_keys_and_different_screens_do_not_supersede_each_other(qtbot):
    runner = TaskRunner()
    left, right = QWidget(), QWidget()
    shown: list[str] = []
    runner.op(left, lambda _c: "left", shown.append, key="load")
    runner.op(right, lambda _c: "right", shown.append, key="load")
    runner.op(left, lambda _c: "other", shown.append, key="export")
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert sorted(shown) == ["left", "other", "right"]


def test_busy_indicator_stays_until_every_op_using_it_is_back(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    bar = QProgressBar(screen)
    bar.setVisible(False)
    gates = [threading.Event(), threading.Event()]
    for gate in gates:
        runner.op(screen, _gated(None, gate), busy=bar)
    assert not bar.isHidden()
    gates[0].set()
    qtbot.waitUntil(lambda: runner.busy == 1, timeout=5000)
    assert not bar.isHidden(), "the indicator went away while a load was still running"
    gates[1].set()
    qtbot.waitUntil(lambda: bar.isHidden(), timeout=5000)


def test_errors_without_a_handler_go_to_one_place_and_handled_ones_do_not(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    routed: list[tuple[object, BaseException]] = []
    handled: list[BaseException] = []
    runner.error_event.connect(lambda parent, exc: routed.append((parent, exc)))

    def fail(_control):
        raise StoremonError("sales.csv:3: Date: not a date; fix the row and import again")

    runner.op(screen, fail)
    runner.op(screen, fail, on_error=handled.append)
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert [(parent, str(exc)) for parent, exc in routed] == [
        (screen, "sales.csv:3: Date: not a date; fix the row and import again")
    ]
    assert len(handled) == 1


def test_progress_reaches_only_the_current_request(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    seen: list[tuple[int, int]] = []

    def work(control):
        for step in range(3):
            control.progress(step + 1, 3)
        return "done"

    results: list[str] = []
    runner.op(screen, work, results.append, on_progress=lambda d, t: seen.append((d, t)))
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_dropped_request_delivers_nothing(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    shown: list[str] = []
    gate = threading.Event()
    handle = runner.op(screen, _gated("stale", gate), shown.append, key="fix")
    runner.drop(screen, "fix")
    gate.set()
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert shown == []
    assert handle._control.cancelled.is_set()


def test_errors_the_user_can_fix_go_to_the_screen_and_others_to_one_place(qtbot):
    runner = TaskRunner()
    screen = QWidget()
    routed: list[BaseException] = []
    inline: list[str] = []
    runner.error_event.connect(lambda _parent, exc: routed.append(exc))

    def fixable(_control):
        raise StoremonError("the server did not answer; check the address")

    def bug(_control):
        raise ZeroDivisionError

    runner.op(screen, fixable, on_user_error=lambda exc: inline.append(str(exc)))
    runner.op(screen, bug, on_user_error=lambda exc: inline.append(str(exc)))
    qtbot.waitUntil(lambda: runner.busy == 0, timeout=5000)
    assert inline == ["the server did not answer; check the address"]
    assert [type(exc) for exc in routed] == [ZeroDivisionError]
