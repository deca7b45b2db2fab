"""The ``storemon`` command line, one module per command group (``main`` builds the parser)."""

from storemon.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
