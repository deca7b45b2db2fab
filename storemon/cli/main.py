"""The ``storemon`` command: gui (default), demo, import, report and db subcommands.

Errors a user can cause (a bad file, a wrong setting, an unreachable server) end in one
clear message on stderr and exit status 2, never a traceback. Every command calls a use case
of ``storemon.services.api.Services``; none opens a database session itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from storemon import __version__
from storemon.cli import admin, alerts, app, forecast, imports, pressure, reports, stores, wages, web
from storemon.cli.common import EXIT_USER_ERROR
from storemon.config import app_paths
from storemon.errors import StoremonError
from storemon.logs import setup_logging
from storemon.services.api import Services
from storemon.services.database import open_database

log = logging.getLogger("storemon")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storemon", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"storemon {__version__}")
    parser.add_argument(
        "--db", metavar="URL", help="database URL (sqlite:///PATH or postgresql://USER@HOST/DB)"
    )
    parser.add_argument(
        "--as", dest="username", metavar="USER", help="act as this user (default: the local administrator)"
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr (-vv for debug)")
    sub = parser.add_subparsers(dest="command")
    for group in (app, imports, reports, forecast, stores, alerts, admin, web, pressure, wages):
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    paths = app_paths()
    log_file = setup_logging(paths.log_dir, args.verbose, paths.settings_file)
    try:
        database = open_database(args.db, paths)
        try:
            if database.upgrade_report.changed and args.handler is not admin.cmd_db_upgrade:
                print(database.upgrade_report.message(), file=sys.stderr)
            return args.handler(args, Services(database))
        finally:
            database.close()
    except StoremonError as exc:
        print(f"storemon: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early; that is not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open until exit
        return 0
    except KeyboardInterrupt:
        print("storemon: interrupted", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error")
        print(f"storemon: unexpected error; details in {log_file}", file=sys.stderr)
        return 1
