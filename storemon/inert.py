"""One output-safety rule for every file a spreadsheet may open: data never becomes a formula.

Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, after a tab
or carriage return, whatever follows) as a formula, so a store or person named
``=HYPERLINK("http://…")`` could run in the office's Excel (OWASP "CSV injection"). Every CSV,
XLSX and command-line CSV writer passes text cells through ``inert`` (CSV) or types them as
strings (XLSX, ``is_formula_like``).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as the start of a formula."""
    return text.startswith(FORMULA_STARTS)


def inert(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: a leading apostrophe where needed."""
    return "'" + text if is_formula_like(text) else text
