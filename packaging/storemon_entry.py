"""PyInstaller's entry point for the bundle: the ``storemon`` console script."""

import multiprocessing
import sys

from storemon.cli import main

if __name__ == "__main__":
    # The Region screen and chain-sized reports model stores in spawned child processes: in a
    # frozen bundle the child is this executable again, and freeze_support() makes it run the
    # child's work instead of the command line.
    multiprocessing.freeze_support()
    sys.exit(main())
