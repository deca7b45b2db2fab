"""PyInstaller's entry point for the bundle: the ``storemon`` console script."""

import sys

from storemon.cli import main

if __name__ == "__main__":
    sys.exit(main())
