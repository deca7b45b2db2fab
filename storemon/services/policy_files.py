"""Tier policies from JSON files (``storemon whatif tiers POLICY_FILE``), with clear errors.

Format::

    {"name": "Closed bands",
     "bands": [{"max_revenue": 5000, "staff_per_shift": 1},
               {"min_revenue": 5000, "max_revenue": 11000, "staff_per_shift": 2},
               {"min_revenue": 11000, "staff_per_shift": 3}]}

A missing bound is an open end; ``daypart`` is optional.
"""

from __future__ import annotations

import json
from pathlib import Path

from staffing.policy import TierBand, TierPolicy
from storemon.errors import StoremonError

BAND_FIELDS = {"min_revenue", "max_revenue", "staff_per_shift", "daypart"}


class PolicyFileError(StoremonError):
    """A policy file that cannot be read; the message names the file, the line and the fix."""


def _line_of(text: str, needle: str, start: int = 0) -> int:
    index = text.find(needle, start)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def load_policy_file(path: Path) -> TierPolicy:
    """Read and check a tier policy file; every problem names ``file:line``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise PolicyFileError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise PolicyFileError(f"{path}: not UTF-8 text; save it as UTF-8") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyFileError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("bands"), list) or not data["bands"]:
        raise PolicyFileError(f'{path}:1: expected an object with "name" and a non-empty "bands" list')
    bands = []
    cursor = 0
    for number, raw in enumerate(data["bands"], start=1):
        cursor = text.find("{", text.find('"bands"') if number == 1 else cursor + 1)
        line = _line_of(text, "{", cursor)
        if not isinstance(raw, dict):
            raise PolicyFileError(f"{path}:{line}: band {number} must be an object")
        unknown = set(raw) - BAND_FIELDS
        if unknown:
            raise PolicyFileError(
                f"{path}:{line}: band {number}: unknown fields {sorted(unknown)}; use {sorted(BAND_FIELDS)}"
            )
        staff = raw.get("staff_per_shift")
        if not isinstance(staff, int) or isinstance(staff, bool) or staff < 1:
            raise PolicyFileError(
                f"{path}:{line}: band {number}: staff_per_shift must be a whole number >= 1"
            )
        bounds = []
        for key in ("min_revenue", "max_revenue"):
            value = raw.get(key)
            if value is not None and (
                not isinstance(value, int | float) or isinstance(value, bool) or value < 0
            ):
                raise PolicyFileError(
                    f"{path}:{line}: band {number}: {key} must be a number >= 0 or left out"
                )
            bounds.append(value)
        bands.append(TierBand(bounds[0], bounds[1], staff, raw.get("daypart")))
    return TierPolicy.of(str(data.get("name") or path.stem), bands)
