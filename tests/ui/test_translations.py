"""Simplified Chinese: every string translated and compiled, and switching language redraws the app.

The first tests run ``scripts/update_translations.py --check``: a string added to ui/ without a
translation fails here until someone runs the script and translates it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import shiboken6
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QWidget

from tests.ui.conftest import WAIT_MS
from ui.app import WindowHost
from ui.i18n import install_translator, translate
from ui.main_window import MainWindow, available_views

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
NOT_WORDS = re.compile(r"<[^>]*>|&[a-z]+;|Storemon|P90")
"""HTML markup and names that stay as they are in Chinese."""


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_string_is_extracted_translated_and_compiled():
    problems = _script("update_translations").check()
    assert not problems, "run scripts/update_translations.py and translate:\n" + "\n".join(problems)


def test_translations_keep_placeholders_tags_and_accelerators():
    helpers = _script("translate_helpers")
    problems = helpers.lint(helpers.load(helpers.TS))
    assert not problems, "\n".join(problems)


def test_chinese_translator_loads_the_compiled_file(qapp):
    try:
        assert install_translator("zh_CN") == "zh_CN"
        assert translate("MainWindow", "Today") == "今日"
        assert translate("MainWindow", "&File") == "文件(&F)"
        assert translate("TodayView", "%1 min") == "%1 分钟"
    finally:
        install_translator("en")
    assert translate("MainWindow", "Today") == "Today"


# -- switching language in the running app --------------------------------------------------------


@pytest.fixture
def host(qtbot, ctx):
    """The main window as the app runs it: a language change replaces it."""
    made = WindowHost(ctx)
    made.window.show()
    yield made
    window = made.window
    if shiboken6.isValid(window):
        window.close()
        window.deleteLater()
    QApplication.processEvents()


def _switch(qtbot, host: WindowHost, language: str) -> MainWindow:
    old = host.window
    # Idle first: a result arriving for the deleted window is another matter than the switch itself.
    qtbot.waitUntil(lambda: not host.ctx.tasks.busy, timeout=WAIT_MS)
    host.ctx.events.language_changed.emit(language)  # what the Settings screen does
    assert host.window is not old and host.window.isVisible()
    qtbot.waitUntil(lambda: not shiboken6.isValid(old), timeout=WAIT_MS)  # no stale window left behind
    return host.window


def _today_loaded(window: MainWindow) -> bool:
    today = window.views.get("today")
    return today is not None and today._picture is not None and not today._busy


def _navigation(window: MainWindow) -> list[str]:
    return [window.nav.item(row).text() for row in range(window.nav.count())]


def _menus(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def _visible_texts(view: QWidget) -> list[str]:
    texts = []
    for widget in view.findChildren(QWidget):
        if not widget.isVisibleTo(view):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
    return [text for text in texts if text.strip()]


def _english(texts: list[str]) -> list[str]:
    return [text for text in texts if ENGLISH_WORD.search(NOT_WORDS.sub(" ", text))]


def test_switching_to_chinese_redraws_the_window_and_keeps_the_screen(qtbot, ctx, host):
    english = host.window
    qtbot.waitUntil(lambda: _today_loaded(english), timeout=WAIT_MS)
    assert english.current_view_key() == "today"
    titles = [title for _key, _module, _cls, title in available_views()]
    assert _navigation(english) == titles and {"Today", "Region"} <= set(titles)
    assert _menus(english) == ["&File", "&View", "&Help"]
    assert english.views["today"].fix_button.text() == "Find the cover"

    chinese = _switch(qtbot, host, "zh_CN")
    assert ctx.settings.value("ui/language") == "zh_CN"
    assert chinese.current_view_key() == "today"
    assert _navigation(chinese) == [translate("MainWindow", title) for title in titles]
    assert _navigation(chinese)[:2] == ["今日", "区域"]
    assert _menus(chinese) == ["文件(&F)", "视图(&V)", "帮助(&H)"]
    view_menu = chinese.menuBar().actions()[1].menu()
    assert [action.text() for action in view_menu.actions()] == _navigation(chinese)
    assert chinese.user_label.text() == "当前用户：admin"

    qtbot.waitUntil(lambda: _today_loaded(chinese), timeout=WAIT_MS)
    today = chinese.views["today"]
    assert today.isVisible()
    assert today.store_label.text() == "门店(&S)："
    assert today.fix_button.text() == "计算补位方案"
    assert today.tiles["solo"].caption.text() == "单人班时长"
    assert today.tiles["wait"].note.text().startswith("目标 3 分钟 · ")
    assert today.chart_box.title() == "全天分时（每 15 分钟）"
    shown = _visible_texts(today)
    assert len(shown) > 15
    assert not _english(shown), "English left on the Chinese Today screen"


def test_switching_back_to_english_restores_english_on_the_current_screen(qtbot, host):
    chinese = _switch(qtbot, host, "zh_CN")
    chinese.show_view("region")
    region = chinese.views["region"]
    qtbot.waitUntil(lambda: region.loaded_once and not region.is_loading, timeout=WAIT_MS)
    assert chinese.windowTitle() == "Storemon" and _navigation(chinese)[1] == "区域"

    english = _switch(qtbot, host, "en")
    assert english.current_view_key() == "region"
    assert english.views.keys() == {"region"}, "only the current screen is built at once"
    assert _navigation(english)[:2] == ["Today", "Region"]
    assert _menus(english) == ["&File", "&View", "&Help"]
    assert english.user_label.text() == "Signed in as admin"
    qtbot.waitUntil(lambda: english.views["region"].loaded_once, timeout=WAIT_MS)
    english.show_view("today")
    qtbot.waitUntil(lambda: _today_loaded(english), timeout=WAIT_MS)
    today = english.views["today"]
    assert today.fix_button.text() == "Find the cover"
    assert today.tiles["wait"].note.text().startswith("target 3 min · about ")
