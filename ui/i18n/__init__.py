"""Translations: Simplified Chinese and English ship as Qt .ts sources compiled to .qm.

``scripts/update_translations.py`` runs pyside6-lupdate / pyside6-lrelease; CI checks the .qm
files are current. Outside QObjects, use ``translate(context, text)``; mark strings for lupdate
with ``QT_TRANSLATE_NOOP`` where they are defined far from where they are shown.

Placeholders are Qt's ``%1``, ``%2`` …: a translator may reorder them. Fill them with
``fill(self.tr("Updated %1"), time_text)`` or ``fill(translate("Context", "Updated %1"), time_text)``:
the literal stays inside the call lupdate looks for, so it is still extracted.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
_installed: list[QTranslator] = []
_PLACEHOLDER = re.compile(r"%(\d{1,2})")


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


def fill(template: str, *args: object) -> str:
    """``template`` with ``%1`` … ``%n`` replaced by ``args`` in one pass (like ``QString.arg``).

    One pass, so an argument that itself contains "%2" is never filled again; a placeholder
    without an argument stays as written.
    """

    def argument(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(args[number - 1]) if 1 <= number <= len(args) else match.group(0)

    return _PLACEHOLDER.sub(argument, template) if args else template


def translate(context: str, text: str) -> str:
    """Translate outside a QObject (STYLE.md section 7); ``fill`` its placeholders afterwards.

    Exactly two literal arguments: lupdate reads a third as a disambiguation and skips the call.
    """
    return QCoreApplication.translate(context, text)
