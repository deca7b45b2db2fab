"""POS sales exports -> distinct orders -> 15-minute buckets per store, all or nothing.

A file has one row per order or one row per line item. Line items with the same transaction
number (per store and local date, because many tills restart receipt numbers every day) are one
order; an order is counted in the bucket of its first line, with all its items and revenue.
Files without a transaction number: every row is an order, keyed by a hash of its parsed
content and how often that content occurred before in the file.

Buckets are 15-minute intervals of the store's local time (its ``timezone``), stored in UTC.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storemon.db.models import SalesBucket, SalesOrder
from storemon.importers.base import (
    CellError,
    ImportCancelled,
    ImportFailed,
    ImportResult,
    StoreRef,
    file_problem,
)
from storemon.importers.headers import (
    CONFIDENCE,
    FORCED,
    LINE_TOTAL,
    NOT_NEEDED,
    ORDER_LEVEL,
    ORDER_TOTAL,
    PRICE_ONLY,
    QUANTITY_X_PRICE,
    VALUES,
    HeaderMatch,
    MoneyRule,
)
from storemon.importers.runner import STORE_COLUMNS, ImportOptions, Requirement, RowImporter
from storemon.importers.tabular import STORE_FIELDS, ColumnMap, Table, field_specs
from storemon.importers.values import (
    DAY,
    MAX_AMOUNT,
    MAX_QUANTITY,
    MONEY_SCALE,
    CellReader,
    money_to_decimal,
    parse_time,
    seconds_to_datetime,
)

KIND = "sales"
BUCKET = 900

_SALES = field_specs("sales")
SALES_FIELDS = [
    *(_SALES[name] for name in ("order_id", "datetime", "date", "time")),
    *STORE_FIELDS,
    *(_SALES[name] for name in ("quantity", "unit_price", "total", "order_total", "store_timezone")),
]


def resolve_time_columns(cols: ColumnMap, table: Table) -> None:
    """Decide between one timestamp column and separate date and time columns by looking at values."""

    def looks_like_time(field: str) -> bool:
        i = cols.get(field)
        for _, row in table.sample[:10]:
            value = row[i] if i is not None and i < len(row) else ""
            if value == "":
                continue
            try:
                parse_time(value)
            except CellError:
                return False
            return True
        return False

    if {"datetime", "date", "time"} <= set(cols.index) and cols.matches["datetime"].confidence < min(
        cols.matches["date"].confidence, cols.matches["time"].confidence
    ):
        cols.drop("datetime", NOT_NEEDED, cols.header["date"])  # a guessed timestamp, named date and time
    if "datetime" in cols:
        if "date" in cols and "time" not in cols and looks_like_time("datetime"):
            cols.rename("datetime", "time")
        else:
            stamp = cols.header["datetime"]
            cols.drop("date", NOT_NEEDED, stamp)
            cols.drop("time", NOT_NEEDED, stamp)
            return
    if "time" in cols and "date" not in cols and not looks_like_time("time"):
        cols.rename("time", "datetime")
    elif "date" in cols and "time" not in cols:
        cols.rename("date", "datetime")


def _order_level(cols: ColumnMap, table: Table, fieldname: str) -> bool:
    """A column filled on an order's first line and blank on its other lines holds the order's
    amount (Shopify's Subtotal and Total), not the line's; the sample decides."""
    i, o = cols.get(fieldname), cols.get("order_id")
    if i is None or o is None:
        return False
    seen: set[object] = set()
    rows: set[tuple] = set()
    first_filled = later = later_filled = 0
    for _, row in table.sample:
        if max(i, o) >= len(row) or (key := tuple(row)) in rows:
            continue  # an exact duplicate row is not another line of its order
        rows.add(key)
        filled = str(row[i]).strip() != ""
        if row[o] in seen:
            later += 1
            later_filled += filled
        else:
            seen.add(row[o])
            first_filled += filled
    return later > 0 and later_filled == 0 and first_filled > 0


_ORDER_NAME = re.compile(r"#\d+")


def resolve_order_column(cols: ColumnMap, table: Table) -> None:
    """Without an order-number header, a column whose every value reads like "#1001" (Shopify's
    "Name") holds the order numbers."""
    if "order_id" in cols:
        return
    used = set(cols.index.values())
    for i, header in enumerate(table.headers):
        values = [str(row[i]).strip() for _, row in table.sample if i < len(row)]
        values = [v for v in values if v]
        if i not in used and len(values) >= 2 and all(_ORDER_NAME.fullmatch(v) for v in values):
            cols.use(HeaderMatch(i, header, "order_id", CONFIDENCE[VALUES], VALUES, "values like #1001"))
            return


def resolve_money_columns(cols: ColumnMap, table: Table) -> MoneyRule | None:
    """Decide where revenue comes from: what the customer paid per order, else a line-total column,
    else quantity x unit price. A "total" that is an order's amount gives way to line amounts."""
    demoted = []
    while "total" in cols and cols.matches["total"].how != FORCED and _order_level(cols, table, "total"):
        demoted.append(cols.matches.get("total"))
        cols.drop("total", ORDER_LEVEL)
        if (better := cols.runner_up("total")) is not None:
            cols.use(better)
    if demoted and not ({"total", "unit_price", "order_total"} & set(cols.index)):
        cols.use(replace(demoted[0], field="order_total"))  # the only amount there is
    h = cols.header
    if "order_total" in cols:
        return MoneyRule(ORDER_TOTAL, (h["order_total"],))
    if "total" in cols:
        return MoneyRule(LINE_TOTAL, (h["total"],))
    if "unit_price" in cols:
        if "quantity" in cols:
            return MoneyRule(QUANTITY_X_PRICE, (h["quantity"], h["unit_price"]))
        return MoneyRule(PRICE_ONLY, (h["unit_price"],))
    return None


def resolve_columns(cols: ColumnMap, table: Table) -> MoneyRule | None:
    """Settle what the headers alone cannot (timestamp or date + time, order numbers found by their
    values, where revenue comes from) by looking at the first rows; the import and its preview agree."""
    resolve_time_columns(cols, table)
    resolve_order_column(cols, table)
    return resolve_money_columns(cols, table)


def _order_key(txn: str, day: int, day_iso: dict[int, str]) -> str:
    iso = day_iso.get(day)
    if iso is None:
        iso = day_iso[day] = seconds_to_datetime(day * DAY).date().isoformat()
    if len(txn) > 100:
        txn = "h:" + hashlib.sha1(txn.encode()).hexdigest()
    return f"{txn}@{iso}"


def _row_key(local: int, items: int, money: int, occurrence: int) -> str:
    content = f"{seconds_to_datetime(local).isoformat()}|{items}|{money}"
    return f"row:{hashlib.sha1(content.encode()).hexdigest()}#{occurrence}"


def import_sales(
    session_factory: sessionmaker[Session],
    path: str | Path,
    options: ImportOptions | None = None,
    /,
    **overrides: Any,
) -> ImportResult:
    """Import a POS export (CSV or XLSX) into sales orders and 15-minute buckets, all or nothing.

    Raises ImportFailed (nothing written) listing every bad row unless ``skip_bad``, which imports
    the good rows and writes the bad ones to ``rejects_path`` (default ``<file>.rejects.csv``).
    ``day_first`` settles dates such as 02/03/2026, which are refused as ambiguous otherwise.
    ``overrides`` are ``ImportOptions`` fields (``store_code=``, ``create_stores=``, ...).
    """
    return SalesImporter.run(session_factory, path, options, overrides)


class SalesImporter(RowImporter):
    """Rows -> orders keyed per store and local day (or by content), then 15-minute buckets."""

    kind = KIND
    fields = SALES_FIELDS
    accepts = frozenset({"store_code", "day_first", "dry_run"})
    staged = True
    infers_hours = True

    requirements = (
        Requirement(
            frozenset({"datetime", "date"}),
            "No date or timestamp column found",
            "a date and time column (datetime, or date and time)",
            "datetime",
        ),
        Requirement(
            frozenset({"order_total", "total", "unit_price"}),
            "No amount column found (total, order total or unit price)",
            "an amount column (total, order_total or unit_price)",
            "total",
        ),
        Requirement(
            frozenset(STORE_COLUMNS),
            "No store column found; for a one-store file pass --store CODE",
            "a store column, or --store CODE for a one-store file",
            "store_code",
            store_code_will_do=True,
        ),
    )

    def check_columns(self) -> None:
        cols = self.cols
        self.money_rule = resolve_columns(cols, self.table)
        super().check_columns()
        self._date_index = cols.get("datetime") if "datetime" in cols else cols.get("date")
        self.duplicate_rows = 0
        self.duplicate_lines: list[int] = []
        self.priceless: set[tuple] = set()
        self.summary: dict[str, Any] = {}

    def execute(self) -> ImportResult:
        """Import (or with ``dry_run`` only read and check) and say what the file held."""
        result = self.rehearse() if self.options.dry_run else super().execute()
        for name, value in self.summary.items():
            setattr(result, name, value)
        return result

    def rehearse(self) -> ImportResult:
        """Everything an import does before writing, then roll back: the dry run."""
        self.staged = False  # nothing is written, so nothing (not even a new store) is committed early
        plan = self.checked_plan()
        self.session.rollback()  # stores --create-stores made stay unwritten
        if self.log.rejects is not None:
            self.log.rejects.discard()
        return ImportResult(
            batch_id=None,
            rows_read=self.rows_read,
            rows_imported=sum(entry[3] for entry in plan.values()),
            rejected=self.log.problems[:],
            rejected_count=self.log.count,
            stores_created=list(self.stores.created),
            dry_run=True,
        )

    def ignorable(self, row: list) -> bool:
        return _is_summary_row(row, self._date_index)

    def read(self) -> dict[tuple, list]:
        """order key -> [first local second, items, money units, lines, first line, store ref].

        A row identical in every cell to an earlier one of a file with order numbers is a duplicate
        line: dropped and counted. (Without order numbers two identical rows are two customers.)
        Rows are compared by a hash of their cells, so a million-row file needs no copy of itself.
        A blank amount leaves the order's revenue unknown: it counts as an order with revenue 0
        and is remembered in ``priceless``.
        """
        cols = self.cols
        reader = CellReader(self.options.day_first)
        fixed = self.fixed_store()

        # Column indexes and header names (for messages).
        h = self.h
        ci_order = cols.get("order_id")
        ci_stamp = cols.get("datetime")
        ci_date = cols.get("date")
        ci_time = cols.get("time")
        ci_qty = cols.get("quantity")
        ci_price = cols.get("unit_price")
        ci_total = cols.get("total")
        ci_ototal = cols.get("order_total")
        store_fields = self.store_fields
        store_getter = itemgetter(*[cols.index[f] for f in store_fields]) if store_fields else None
        store_column = h[store_fields[0]] if store_fields else "store"
        if ci_ototal is not None:
            ci_total = ci_price = None  # what the customer paid wins over line amounts

        store_cache: dict[object, StoreRef] = {}

        def store_of(key: object) -> StoreRef:
            values = key if isinstance(key, tuple) else (key,)
            return self.store_in(dict(zip(store_fields, values, strict=True)))

        def localise(stamp: tuple[int, int], ref: StoreRef) -> int:
            # A timestamp with its own UTC offset: convert to the store's local clock.
            utc = seconds_to_datetime(stamp[0] - stamp[1]).replace(tzinfo=UTC)
            local = utc.astimezone(ref.tz)
            return local.toordinal() * DAY + local.hour * 3600 + local.minute * 60 + local.second

        def amount_of(value: object) -> int | None:
            # None for a blank cell: the price is unknown, which is not a problem of the row.
            return None if _blank(value) else reader.amount(value)

        orders: dict[tuple, list] = {}
        seen_rows: set[int] = set()
        priceless = self.priceless
        dates_get = reader.dates.get
        times_get = reader.times.get
        money_get = reader.money.get
        qty_get = reader.quantities.get
        stamp = reader.stamp
        col = ""

        for line, row in self.rows():
            if ci_order is not None:
                signature = hash(tuple(row))
                if signature in seen_rows:
                    self.duplicate_rows += 1
                    if len(self.duplicate_lines) < 20:
                        self.duplicate_lines.append(line)
                    continue
                seen_rows.add(signature)
            try:
                unpriced = False
                # Store
                if fixed is not None:
                    ref = fixed
                else:
                    col = store_column
                    skey = store_getter(row)
                    ref = store_cache.get(skey)
                    if ref is None:
                        if self.ignorable(row):  # a totals row names no store to create
                            self.rows_read -= 1
                            continue
                        ref = store_cache[skey] = store_of(skey)
                # When
                if ci_stamp is not None:
                    col = h["datetime"]
                    local = stamp(row[ci_stamp])
                    if local.__class__ is not int:
                        local = localise(local, ref)
                else:
                    col = h["date"]
                    v = row[ci_date]
                    d = dates_get(v)
                    if d is None:
                        d = reader.date(v)
                    col = h["time"]
                    v = row[ci_time]
                    t = times_get(v)
                    if t is None:
                        t = reader.time(v)
                    local = d + t
                # How many and how much
                if ci_qty is not None:
                    col = h["quantity"]
                    v = row[ci_qty]
                    q = qty_get(v)
                    if q is None:
                        q = reader.quantity(v)
                else:
                    q = 1
                if ci_total is not None:
                    col = h["total"]
                    m = money_get(row[ci_total])
                    if m is None:
                        m = amount_of(row[ci_total])
                        if m is None:
                            m, unpriced = 0, True
                elif ci_price is not None:
                    col = h["unit_price"]
                    m = money_get(row[ci_price])
                    if m is None:
                        m = amount_of(row[ci_price])
                        if m is None:
                            m, unpriced = 0, True
                    m *= q
                else:
                    m = 0
                # Which order
                if ci_order is not None:
                    col = h["order_id"]
                    txn = row[ci_order].strip() if row[ci_order].__class__ is str else str(row[ci_order])
                    if not txn:
                        raise CellError("the order number is empty; every row needs its order/receipt number")
                    okey = (ref.id, txn, local // DAY)
                    entry = orders.get(okey)
                    if entry is not None:
                        if local < entry[0]:
                            entry[0] = local
                        entry[1] += q
                        entry[2] += m
                        entry[3] += 1
                        if unpriced:
                            priceless.add(okey)
                        continue
                if ci_ototal is not None:
                    col = h["order_total"]
                    m = money_get(row[ci_ototal])
                    if m is None:
                        m = amount_of(row[ci_ototal])
                        if m is None:
                            m, unpriced = 0, True
                if ci_order is None:
                    okey = (ref.id, local, q, m, 1)
                    occurrence = 1
                    while okey in orders:
                        occurrence += 1
                        okey = (ref.id, local, q, m, occurrence)
                orders[okey] = [local, q, m, 1, line, ref]
                if unpriced:
                    priceless.add(okey)
            except CellError as exc:
                self.reject(line, row, col, exc)
        return orders

    def validate(self, orders: dict[tuple, list]) -> dict[tuple, list]:
        """A negative order is a refund, not a sale; a huge one is a wrong column."""
        h = self.h
        money_column = h.get("order_total") or h.get("total") or h.get("unit_price") or ""
        for okey, entry in list(orders.items()):
            if entry[2] >= MAX_AMOUNT * MONEY_SCALE or entry[1] > MAX_QUANTITY:
                self.log.add(
                    entry[4],
                    money_column,
                    f"the order adds up to {entry[1]:,} items for {money_to_decimal(entry[2]):,}, more than "
                    "any order; check the quantity and amount columns",
                )
                del orders[okey]
            elif entry[2] < 0:
                self.log.add(
                    entry[4],
                    money_column,
                    f"the order totals {money_to_decimal(entry[2])} (a refund?); only sales are imported: "
                    "remove its rows, or use --skip-bad to leave it out",
                )
                del orders[okey]
        self.summarise(orders)
        return orders

    def summarise(self, orders: dict[tuple, list]) -> None:
        """What the file holds once duplicates and bad rows are left out (the import summary)."""
        by_store: dict[str, int] = defaultdict(int)
        days: set[int] = set()
        for entry in orders.values():
            by_store[entry[5].code] += entry[2]
            days.add(entry[0] // DAY)
        self.priceless &= orders.keys()
        self.summary = {
            "orders": len(orders),
            "stores": sorted(by_store),
            "days": len(days),
            "revenue": money_to_decimal(sum(by_store.values())),
            "revenue_by_store": {code: money_to_decimal(m) for code, m in sorted(by_store.items())},
            "duplicate_rows": self.duplicate_rows,
            "duplicate_lines": self.duplicate_lines,
            "priceless_orders": len(self.priceless),
            "money_rule": self.money_rule,
            "columns": self.cols.described(),
            "unused_columns": sorted(self.cols.unused, key=lambda u: u.match.column),
        }

    def write(self, orders: dict[tuple, list]) -> dict[str, Any]:
        session, ticker = self.session, self.ticker
        # Order keys, and the ones already in the database for these stores and dates.
        day_iso: dict[int, str] = {}
        keyed: list[tuple[str, list]] = []
        if "order_id" in self.cols:
            for (_, txn, day), entry in orders.items():
                keyed.append((_order_key(txn, day, day_iso), entry))
        else:
            for (_, local, q, m, occurrence), entry in orders.items():
                keyed.append((_row_key(local, q, m, occurrence), entry))
        orders.clear()
        existing = _existing_keys(session, keyed)

        # Bucket each new order in its store's local 15-minute interval, stored in UTC.
        bucket_utc: dict[tuple[int, int], datetime] = {}
        buckets: dict[tuple[int, datetime], list[int]] = {}
        order_rows: list[dict] = []
        skipped = 0
        rows_imported = 0
        for key, (local, q, m, nlines, _line, ref) in keyed:
            if (ref.id, key) in existing:
                skipped += 1
                continue
            start = local - local % BUCKET
            bkey = (ref.id, start)
            utc_start = bucket_utc.get(bkey)
            if utc_start is None:
                utc_start = bucket_utc[bkey] = _to_utc(start, ref.tz)
            agg = buckets.get((ref.id, utc_start))
            if agg is None:
                buckets[(ref.id, utc_start)] = [1, q, m]
            else:
                agg[0] += 1
                agg[1] += q
                agg[2] += m
            order_rows.append(
                {
                    "store_id": ref.id,
                    "order_key": key,
                    "ordered_at": utc_start + timedelta(seconds=local - start),
                }
            )
            rows_imported += nlines

        for (_sid, start), (_n, items, money) in buckets.items():
            # NUMERIC(14, 2) and a 32-bit item count; unreachable with sane files, but never crash on one.
            if money >= 10**12 * MONEY_SCALE or items >= 2**31:
                raise file_problem(
                    self.table.name,
                    f"the sales of the 15 minutes from {start:%Y-%m-%d %H:%M} UTC add up to more than the "
                    "database can hold; check the quantity and amount columns",
                )
        ticker.check_cancel()
        batch_id = self.new_batch()
        for r in order_rows:
            r["batch_id"] = batch_id
        self.insert_rows(SalesOrder.__table__, order_rows)
        bucket_rows = [
            {
                "store_id": sid,
                "bucket_start": start,
                "orders": n,
                "items": items,
                "revenue": money_to_decimal(money),
                "batch_id": batch_id,
            }
            for (sid, start), (n, items, money) in buckets.items()
        ]
        self.insert_rows(SalesBucket.__table__, bucket_rows)
        return {
            "rows_imported": rows_imported,
            "orders_added": len(order_rows),
            "skipped_duplicates": skipped,
        }


_SUMMARY_LABELS = {"合计", "总计", "小计", "total", "totals", "grandtotal", "sum", "汇总"}


def _is_summary_row(row: list, date_index: int | None) -> bool:
    """A totals row at the bottom of an export: no date, and a cell saying 'Total'/'合计'."""
    if date_index is not None and str(row[date_index]).strip():
        return False
    return any(str(c).strip().casefold().replace(" ", "").rstrip(":：") in _SUMMARY_LABELS for c in row)


def _blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _to_utc(local: int, tz: ZoneInfo) -> datetime:
    return seconds_to_datetime(local).replace(tzinfo=tz).astimezone(UTC)


def _existing_keys(session: Session, keyed: list[tuple[str, list]]) -> set[tuple[int, str]]:
    """(store, key) of orders already imported, looked up for this file's stores and dates only."""
    if not keyed:
        return set()
    store_ids = sorted({entry[5].id for _, entry in keyed})
    lo = min(entry[0] for _, entry in keyed)
    hi = max(entry[0] for _, entry in keyed)
    # Local seconds -> a UTC range wide enough for any zone, and for an order first seen earlier.
    start = seconds_to_datetime(lo).replace(tzinfo=UTC) - timedelta(days=2)
    end = seconds_to_datetime(hi).replace(tzinfo=UTC) + timedelta(days=2)
    query = select(SalesOrder.store_id, SalesOrder.order_key).where(
        SalesOrder.store_id.in_(store_ids),
        SalesOrder.ordered_at >= start,
        SalesOrder.ordered_at <= end,
    )
    return {(sid, key) for sid, key in session.execute(query)}


__all__ = ["SALES_FIELDS", "ImportCancelled", "ImportFailed", "import_sales"]
