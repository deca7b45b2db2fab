"""Build step that pyproject.toml cannot express: copy the user guides into the package.

``docs/`` is where the guides are written; Help > User guide and Help > How pressure is computed
read them offline from ``ui/help_docs`` of the installed package (``ui.help_docs.bundle_files``).
"""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithHelp(build_py):
    """``build_py``, then the guides (and the screenshots they show) into ``ui/help_docs``."""

    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(ROOT))
        from ui.help_docs import bundle_files

        target = Path(self.build_lib) / "ui" / "help_docs"
        for source, relative in bundle_files(ROOT / "docs"):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildPyWithHelp})
