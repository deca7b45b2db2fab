"""Translations: Simplified Chinese and English ship as Qt .ts sources compiled to .qm.

``scripts/update_translations.py`` runs pyside6-lupdate / pyside6-lrelease; CI checks the .qm
files are current. Outside QObjects, use ``translate(context, text)``; mark strings for lupdate
with ``QT_TRANSLATE_NOOP`` where they are defined far from where they are shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
_installed: list[QTranslator] = []


def resolve_language(choice: str | None) -> str:
    """ "system" (or nothing) follows the OS locale: Chinese locales get Chinese, others English."""
    if choice in LANGUAGES:
        return choice
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def install_translator(language: str | None) -> str:
    """Load the app's and Qt's own translations for ``language``; returns the language in use."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    language = resolve_language(language)
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return language
    ours = QTranslator(app)
    if ours.load(str(HERE / f"storemon_{language}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    qt = QTranslator(app)
    if qt.load(
        QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt)
        _installed.append(qt)
    return language


def translate(context: str, text: str) -> str:
    """Translate outside a QObject (STYLE.md section 7)."""
    return QCoreApplication.translate(context, text)
