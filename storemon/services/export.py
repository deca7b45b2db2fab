"""CSV and XLSX files from any list of dataclass rows (the Region table, reports, lists).

Columns default to a row type's scalar fields; a caller that shows translated headers or
formatted values passes its own ``Column`` list. CSV is UTF-8 with a byte-order mark so Excel
opens Chinese text correctly; XLSX has a bold, frozen header row and columns sized to fit.
Files are written to a temporary name beside the target and renamed, so a failed export never
leaves half a file behind.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import os
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from storemon.errors import StoremonError
from storemon.inert import inert, is_formula_like

FORMATS = ("csv", "xlsx")
SCALARS = (str, int, float, bool, Decimal, date, datetime, time, enum.Enum)
MAX_COLUMN_WIDTH = 60
PROGRESS_EVERY = 500


class ExportError(StoremonError):
    """An export that could not be written; the message names the file and what to do."""


class ExportCancelled(ExportError):
    """The user stopped the export; nothing was written."""


@dataclass(frozen=True)
class Column:
    """One column of an export: a header, and the row attribute (or function) giving its value."""

    header: str
    key: str = ""
    value: Callable[[Any], Any] | None = None
    """Overrides ``key``: computes the cell from the whole row."""

    def of(self, row: Any) -> Any:
        return self.value(row) if self.value is not None else getattr(row, self.key)


def columns_of(row_type: type) -> list[Column]:
    """A dataclass's fields that hold plain values (not lists or arrays), headed by field name."""
    if not dataclasses.is_dataclass(row_type):
        raise TypeError(f"{row_type!r} is not a dataclass")
    hints = {f.name: f.type for f in dataclasses.fields(row_type)}
    return [Column(name, name) for name, hint in hints.items() if _is_scalar_hint(hint)]


def _is_scalar_hint(hint: Any) -> bool:
    text = hint if isinstance(hint, str) else getattr(hint, "__name__", str(hint))
    return not any(word in text for word in ("tuple", "list", "dict", "set", "ndarray", "Sequence"))


def _plain(value: Any) -> Any:
    """A cell value both writers understand: numbers, text, dates or None."""
    if value is None or isinstance(value, str | bool | int | float | date | time):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def csv_text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, str):
        return inert(value)
    return str(value)


def xlsx_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, datetime | time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; keep the wall-clock time
    return value


def _resolve(rows: Sequence[Any], columns: Sequence[Column] | None) -> list[Column]:
    if columns is not None:
        return list(columns)
    if not rows:
        raise ExportError("nothing to export: the list is empty and names no columns")
    return columns_of(type(rows[0]))


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist; choose another folder")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        os.replace(temp, path)
    except PermissionError as exc:
        raise ExportError(
            f"{path}: cannot write here (is the file open in Excel?); close it or choose another name"
        ) from exc
    except OSError as exc:
        raise ExportError(f"{path}: could not write the file ({exc.strerror or exc})") from exc
    finally:
        temp.unlink(missing_ok=True)


def _tick(done: int, total: int, progress, cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportCancelled("export cancelled; no file was written")
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


def write_csv(
    path: Path,
    rows: Sequence[Any],
    columns: Sequence[Column] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write ``rows`` as UTF-8 CSV with a BOM; returns the number of data rows written."""
    cols = _resolve(rows, columns)

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.header for c in cols])
            for done, row in enumerate(rows, start=1):
                writer.writerow([csv_text(c.of(row)) for c in cols])
                _tick(done, len(rows), progress, cancel)

    atomic_write(path, write)
    return len(rows)


def display_width(text: str) -> int:
    """Characters as Excel shows them: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(
    path: Path,
    rows: Sequence[Any],
    columns: Sequence[Column] | None = None,
    sheet_title: str = "Export",
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write ``rows`` to one worksheet with a bold, frozen header; returns the data rows written."""
    from openpyxl import Workbook

    cols = _resolve(rows, columns)

    def write(target: Path) -> None:
        book = Workbook()
        sheet = book.active
        # Excel refuses sheet names over 31 characters or with []:*?/\
        sheet.title = "".join(ch for ch in sheet_title if ch not in "[]:*?/\\")[:31] or "Export"
        fill_sheet(sheet, cols, rows, lambda done: _tick(done, len(rows), progress, cancel))
        book.save(target)

    atomic_write(path, write)
    return len(rows)


def fill_sheet(
    sheet: Any, columns: Sequence[Column], rows: Sequence[Any], tick: Callable[[int], None] | None = None
) -> None:
    """A bold, frozen header, then the rows; text that looks like a formula is typed as text;
    columns sized to their widest cell."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [display_width(c.header) for c in columns]
    for done, row in enumerate(rows, start=1):
        values = [xlsx_value(c.of(row)) for c in columns]
        sheet.append(values)
        for i, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str) and is_formula_like(value):
                sheet.cell(row=done + 1, column=i + 1).data_type = "s"
            widths[i] = max(widths[i], display_width(csv_text(value)))
        if tick is not None:
            tick(done)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"


def write_rows(
    path: Path,
    rows: Sequence[Any],
    columns: Sequence[Column] | None = None,
    sheet_title: str = "Export",
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """CSV or XLSX by the file's suffix; anything else is an error that names the choices."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "csv":
        return write_csv(path, rows, columns, progress, cancel)
    if suffix == "xlsx":
        return write_xlsx(path, rows, columns, sheet_title, progress, cancel)
    raise ExportError(f"{path}: cannot export as .{suffix or '?'}; name the file .csv or .xlsx")
