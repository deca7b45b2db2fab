"""What every command group shares: the user error, argument types, output and the acting user."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from storemon.errors import StoremonError
from storemon.services.access import SYSTEM, Actor

EXIT_USER_ERROR = 2


class UserError(StoremonError):
    """A wrong use of the command line itself."""


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from exc


def when_arg(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time; use e.g. 2026-03-09T06:00+08:00") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add one, e.g. +08:00")
    return value


def now() -> datetime:
    return datetime.now(UTC)


def emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def acting(args) -> Actor | str:
    """Who runs the command: the ``--as`` user (resolved by the service door), else the local administrator."""
    return args.username or SYSTEM
