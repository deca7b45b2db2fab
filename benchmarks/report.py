"""One table layout for every benchmark: a header, a rule, and the rows, names left, figures right."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


def format_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], left: Collection[int] = (0,)
) -> list[str]:
    """The lines of the table; every cell is shown with ``str`` (format figures before).

    Columns ``left`` (the names; by default the first) are aligned left, the figures right.
    """
    table = [[str(cell) for cell in header], *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(table[0]), "  ".join("-" * w for w in widths), *(line(row) for row in table[1:])]


def print_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], left: Collection[int] = (0,)
) -> None:
    print("\n".join(format_table(header, rows, left)))
