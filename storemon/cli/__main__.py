"""``python -m storemon.cli``."""

import sys

from storemon.cli.main import main

sys.exit(main())
