"""Printing report rows as JSON or CSV for the command line."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from storemon.inert import inert


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # most cells: nothing to convert
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Field by field rather than ``dataclasses.asdict``, which deep-copies every value first
        # (a chain's pressure week is 25,000 rows).
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Dataclasses or dicts as JSON-ready dicts."""
    return [_plain(row) for row in rows]


def render(rows: Sequence[Any], fmt: str) -> str:
    """Rows as pretty JSON (UTF-8, Chinese kept readable) or CSV with a header line whose text
    cells can never run as spreadsheet formulas (``storemon.inert``)."""
    records = to_records(rows)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return inert(value) if isinstance(value, str) else value


def render_one(value: Any) -> str:
    """One dataclass or dict as pretty JSON."""
    return json.dumps(_plain(value), ensure_ascii=False, indent=2)
