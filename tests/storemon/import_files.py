"""Writing the files the importer tests read, and counting what an import wrote."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from storemon.db.models import Base


def write_csv(
    path: Path, headers: list[str], rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ","
) -> Path:
    """A CSV as spreadsheet programs save it (UTF-8 with a byte order mark unless told otherwise)."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh, delimiter=delimiter)
        out.writerow(headers)
        out.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """A one-sheet workbook; ``rows`` may start with title rows above the header, as exports do."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def table_counts(session_factory) -> dict[str, int]:
    """Rows per table: an import that fails must leave every count as it was."""
    with session_factory() as session:
        return {
            t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }
