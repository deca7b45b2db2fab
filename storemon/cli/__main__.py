"""``python -m storemon.cli``."""

import sys

from storemon.cli.main import main

if __name__ == "__main__":  # not when a spawned child process imports it
    sys.exit(main())
