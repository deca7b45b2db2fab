"""The pure packages stay pure: a researcher can import them without Qt or a database."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["staffing", "alerts"])
def test_importing_the_package_loads_neither_qt_nor_sqlalchemy(package):
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {package}\n"
        f"for m in pkgutil.iter_modules({package}.__path__): importlib.import_module('{package}.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'sqlalchemy', 'storemon', 'ui'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
