"""Real POS export layouts (tests/data/pos/): every column read for what it means, every customer
counted once, revenue per store to the cent.

The expected numbers come straight from the files with ``csv``/``openpyxl`` and ``Decimal``: each
format's own rule for what a sale's amount is, exact duplicate rows left out, the row without a
store left out (``--skip-bad``), the order without a price counted as a customer with no revenue.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from storemon.cli import main
from storemon.db.models import SalesBucket, Store
from storemon.importers import ImportFailed, import_sales, preview
from storemon.importers.headers import NOT_NEEDED, ORDER_LEVEL, QUANTITY_X_PRICE, WEAKER, HeaderMatcher
from storemon.importers.sales import SALES_FIELDS
from storemon.importers.tabular import alias_index, alias_ranks
from tests.storemon.import_files import table_counts, write_csv

POS = Path(__file__).parents[1] / "data" / "pos"


def money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", "."))


@dataclass(frozen=True)
class Format:
    """One POS layout: its file, how the test reads a row's store, order and amount on its own."""

    file: str
    store: str  # the column naming the store
    order: str  # the column holding the order number
    quantity: str
    recognised: dict[str, str]  # header -> field the importer must read it as
    line_amount: Callable[[dict], Decimal | None] | None = None  # None: blank (unknown)
    order_amount: str | None = None  # column holding the whole order's amount (once per order)
    options: tuple[str, ...] = ()

    def rows(self) -> list[dict]:
        path = POS / self.file
        if path.suffix == ".xlsx":
            sheet = openpyxl.load_workbook(path).active
            values = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
            header_at = next(i for i, row in enumerate(values) if self.order in row)
            headers = values[header_at]
            return [dict(zip(headers, row, strict=True)) for row in values[header_at + 1 :] if row[1]]
        with open(path, encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(2048)
            fh.seek(0)
            return list(csv.DictReader(fh, delimiter=";" if sample.count(";") > sample.count(",") else ","))


def _blank_or(convert: Callable[[str], Decimal]) -> Callable[[str], Decimal | None]:
    return lambda text: None if str(text).strip() == "" else convert(text)


def times(qty: str, price: str) -> Callable[[dict], Decimal | None]:
    return lambda row: None if str(row[price]).strip() == "" else int(row[qty]) * money(str(row[price]))


FORMATS = {
    "square": Format(
        "square_item_sales.csv", "Location", "Transaction ID", "Qty",
        {"Qty": "quantity", "Net Sales": "total", "Transaction ID": "order_id", "Location": "store_location"},
        line_amount=lambda row: _blank_or(money)(row["Net Sales"]),
    ),
    "shopify": Format(
        "shopify_orders_export.csv", "Location", "Name", "Lineitem quantity",
        {"Name": "order_id", "Created at": "datetime", "Lineitem quantity": "quantity",
         "Lineitem price": "unit_price"},
        line_amount=times("Lineitem quantity", "Lineitem price"),
    ),
    "toast": Format(
        "toast_item_selection_details.csv", "Location", "Order Id", "Qty",
        {"Order Date": "datetime", "Qty": "quantity", "Net Price": "total"},
        line_amount=lambda row: _blank_or(money)(row["Net Price"]),
        options=("--month-first",),
    ),
    "lightspeed": Format(
        "lightspeed_receipts.csv", "Location", "Receipt number", "Quantity",
        {"Receipt number": "order_id", "Quantity": "quantity", "Unit price": "unit_price", "Total": "total"},
        line_amount=lambda row: _blank_or(money)(row["Total"]),
        options=("--day-first",),
    ),
    "meituan": Format(
        "meituan_orders_zh.csv", "门店名称", "订单号", "菜品销量",
        {"菜品销量": "quantity", "商品单价(元)": "unit_price", "实收金额(元)": "order_total",
         "下单时间": "datetime", "门店ID": "store_code"},
        order_amount="实收金额(元)",
    ),
    "keruyun": Format(
        "keruyun_sales_zh.csv", "门店", "流水号", "点单数量",
        {"点单数量": "quantity", "菜品单价": "unit_price", "流水号": "order_id", "日期": "date", "时间": "time"},
        line_amount=times("点单数量", "菜品单价"),
    ),
    "yinbao": Format(
        "yinbao_sales_zh.xlsx", "门店名称", "小票号", "销售数量",
        {"小票号": "order_id", "销售数量": "quantity", "零售价": "unit_price", "小计": "total"},
        line_amount=lambda row: None if row["小计"] == "" else Decimal(str(row["小计"])),
    ),
}  # fmt: skip


@dataclass
class Expected:
    revenue: dict[str, Decimal]  # store -> revenue
    orders: dict[str, int]  # store -> customers, priced or not
    items: dict[str, int]
    duplicates: int
    priceless: int
    rejected: int


def expected(fmt: Format) -> Expected:
    """The file's truth, computed without the importer."""
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    items: dict[str, int] = defaultdict(int)
    orders: dict[str, set] = defaultdict(set)
    unpriced: set[tuple] = set()
    seen: set[tuple] = set()
    duplicates = rejected = 0
    for row in fmt.rows():
        key = tuple(row.values())
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        store = str(row[fmt.store]).strip()
        if not store:
            rejected += 1
            continue
        order = (store, row[fmt.order])
        first_line = order not in orders[store]
        orders[store].add(order)
        items[store] += int(row[fmt.quantity])
        if fmt.order_amount is not None:
            amount = _blank_or(money)(row[fmt.order_amount]) if first_line else Decimal(0)
        else:
            amount = fmt.line_amount(row)
        if amount is None:
            unpriced.add(order)
        else:
            revenue[store] += amount
    return Expected(
        dict(revenue),
        {s: len(o) for s, o in orders.items()},
        dict(items),
        duplicates,
        len(unpriced),
        rejected,
    )


def stored_by_store(session_factory) -> dict[str, tuple[int, int, Decimal]]:
    """store name -> (orders, items, revenue) summed over its 15-minute buckets."""
    with session_factory() as session:
        query = (
            select(
                Store.name,
                func.sum(SalesBucket.orders),
                func.sum(SalesBucket.items),
                func.sum(SalesBucket.revenue),
            )
            .join(Store, Store.id == SalesBucket.store_id)
            .group_by(Store.name)
        )
        return {name: (int(o), int(i), Decimal(r)) for name, o, i, r in session.execute(query)}


def _keywords(fmt: Format) -> dict:
    keywords: dict = {"create_stores": True, "skip_bad": True}
    if "--month-first" in fmt.options:
        keywords["day_first"] = False
    if "--day-first" in fmt.options:
        keywords["day_first"] = True
    return keywords


@pytest.mark.parametrize("name", FORMATS)
def test_pos_export_revenue_orders_and_items_per_store_match_the_file(session_factory, tmp_path, name):
    fmt = FORMATS[name]
    truth = expected(fmt)
    assert truth.duplicates == 2 and truth.priceless == 1 and truth.rejected == 1  # the fixture's traps

    result = import_sales(
        session_factory, POS / fmt.file, rejects_path=tmp_path / "rejects.csv", **_keywords(fmt)
    )

    read_as = {m.header: m.field for m in result.columns}
    assert {h: read_as.get(h) for h in fmt.recognised} == fmt.recognised
    stored = stored_by_store(session_factory)
    assert {store: revenue for store, (_, _, revenue) in stored.items()} == truth.revenue
    assert {store: n for store, (n, _, _) in stored.items()} == truth.orders  # the unpriced one too
    assert {store: n for store, (_, n, _) in stored.items()} == truth.items  # quantity not ignored
    assert result.duplicate_rows == truth.duplicates
    assert result.priceless_orders == truth.priceless
    assert result.rejected_count == truth.rejected
    assert result.orders == result.orders_added == sum(truth.orders.values())
    assert result.revenue == sum(truth.revenue.values())
    assert len(result.stores) == 3 and result.days >= 2


def test_an_order_without_a_price_is_a_customer_in_its_bucket(session_factory, tmp_path):
    headers = ["Receipt No", "Date", "Time", "Store ID", "Qty", "Unit Price"]
    rows = [
        ["1", "2026-03-02", "08:01", "S1", "2", "4.50"],
        ["2", "2026-03-02", "08:07", "S1", "1", ""],  # a customer, price unknown
        ["3", "2026-03-02", "08:20", "S1", "1", ""],
    ]
    path = write_csv(tmp_path / "till.csv", headers, rows)

    result = import_sales(session_factory, path, create_stores=True)

    assert (result.orders, result.priceless_orders, result.revenue) == (3, 2, Decimal("9.00"))
    with session_factory() as session:
        buckets = session.execute(
            select(
                SalesBucket.bucket_start, SalesBucket.orders, SalesBucket.items, SalesBucket.revenue
            ).order_by(SalesBucket.bucket_start)
        ).all()
    # 08:00 and 08:15 in Shanghai (the zone of created stores) are 00:00 and 00:15 UTC.
    assert [(b.bucket_start.minute, b.orders, b.items, b.revenue) for b in buckets] == [
        (0, 2, 3, Decimal("9.00")),
        (15, 1, 1, Decimal("0.00")),
    ]


def test_dry_run_prints_the_mapping_and_the_summary_and_writes_nothing(
    db_url, session_factory, tmp_path, capsys
):
    path = POS / FORMATS["shopify"].file
    before = table_counts(session_factory)
    url = db_url

    argv = ["--db", url, "import", "sales", str(path), "--create-stores", "--skip-bad", "--dry-run"]
    code = main([*argv, "--rejects", str(tmp_path / "rejects.csv")])

    out = capsys.readouterr().out
    assert code == 0
    assert "dry run, nothing written" in out
    assert "'Lineitem quantity' -> quantity (80%: 'quantity' once 'lineitem' is left out)" in out
    assert "'Lineitem price' -> unit_price" in out
    assert "'Name' -> order_id (70%: values like #1001)" in out
    assert "revenue = 'Lineitem quantity' x 'Lineitem price' per line (no line-total column)" in out
    assert "dropped: 2 exact duplicate rows" in out and "1 rejected row" in out
    assert "1 order without a price: revenue unknown" in out
    assert (
        "'Total' looks like an order total and was not used (filled on an order's first line only): "
        'pass --map "Total=order_total"'
    ) in out
    truth = expected(FORMATS["shopify"])
    assert f"revenue {sum(truth.revenue.values()):,}" in out
    assert table_counts(session_factory) == before
    assert not (tmp_path / "rejects.csv").exists()


def test_import_summary_and_report_stores_carry_the_revenue(db_url, tmp_path, capsys):
    fmt = FORMATS["meituan"]
    url = db_url
    rejects = tmp_path / "rejects.csv"
    argv = ["--db", url, "import", "sales", str(POS / fmt.file), "--create-stores", "--skip-bad"]

    assert main([*argv, "--rejects", str(rejects)]) == 0

    out = capsys.readouterr().out
    truth = expected(fmt)
    assert "45 rows: 19 orders in 3 stores over 2 days" in out
    for store, revenue in truth.revenue.items():
        code = {"人民广场店": "1001", "静安寺店": "1002", "徐家汇店": "1003"}[store]
        assert f"{code}: revenue {revenue:,}" in out
    assert "revenue = '实收金额(元)' once per order (what the customer paid)" in out
    assert "1 order without a price: revenue unknown" in out
    assert "'应收金额(元)' looks like an order total and was not used" in out
    assert main(["--db", url, "report", "stores"]) == 0
    report = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    # The daily revenue the tier is chosen by: a store's revenue over the days from its first
    # 15 minutes of sales to the end of the chain's last (Shanghai is UTC+8, no summer time).
    utc: dict[str, list[datetime]] = defaultdict(list)
    for row in fmt.rows():
        if row["门店名称"]:
            utc[row["门店名称"]].append(
                datetime.strptime(row["下单时间"], "%Y-%m-%d %H:%M:%S") - timedelta(hours=8)
            )

    def bucket(moment: datetime) -> datetime:
        return moment.replace(minute=moment.minute - moment.minute % 15, second=0)

    end = bucket(max(max(times) for times in utc.values())) + timedelta(minutes=15)
    for code, store in (("1001", "人民广场店"), ("1002", "静安寺店"), ("1003", "徐家汇店")):
        days = math.ceil((end - bucket(min(utc[store]))).total_seconds() / 86400)
        assert report[code]["avg_daily_revenue"] == round(float(truth.revenue[store]) / days, 2)


def test_an_explicit_map_wins_over_recognition(session_factory, tmp_path):
    fmt = FORMATS["square"]
    result = import_sales(
        session_factory,
        POS / fmt.file,
        mapping={"Gross Sales": "total"},
        rejects_path=tmp_path / "r.csv",
        **_keywords(fmt),
    )
    gross = sum(
        (money(r["Gross Sales"]) for r in {tuple(r.items()): r for r in fmt.rows()}.values()
         if r["Gross Sales"] and r["Location"]),
        Decimal(0),
    )  # fmt: skip
    assert result.revenue == gross > sum(expected(fmt).revenue.values())
    assert [u.match.header for u in result.unused_columns if u.match.field == "total"] == ["Net Sales"]


@pytest.mark.parametrize(
    ("header", "field", "confidence"),
    [
        ("Qty", "quantity", 1.0),
        ("Lineitem quantity", "quantity", 0.8),
        ("Qty Sold", "quantity", 0.8),
        ("Total Quantity", "quantity", 0.8),
        ("ITEM_QTY", "quantity", 0.8),
        ("transaction-quantity", "quantity", 0.8),
        ("LineItemQuantity", "quantity", 0.8),
        ("菜品销量", "quantity", 0.7),
        ("商品件数", "quantity", 0.7),
        ("Lineitem price", "unit_price", 0.8),
        ("Item Unit Price", "unit_price", 0.8),
        ("商品单价(元)", "unit_price", 1.0),
        ("Net Price", "total", 0.8),
        ("Gross Price", "total", 0.75),
        ("Gross Sales", "total", 0.75),
        ("Net Total", "total", 0.8),
        ("实收金额(元)", "order_total", 1.0),
        ("应收金额", "order_total", 0.6),
        ("Order Number", "order_id", 1.0),
        ("小票编号", "order_id", 1.0),
        ("原始小票号码", "order_id", 0.7),
        ("Discount Amount", None, 0),
        ("Lineitem discount", None, 0),
        ("退款数量", None, 0),
        ("优惠金额(元)", None, 0),
        ("Tax", None, 0),
        ("Time Zone", "store_timezone", 1.0),
        ("Sales Category", None, 0),
        ("Price Point Name", None, 0),
        ("Item", None, 0),
    ],
)
def test_headers_are_read_by_meaning(header, field, confidence):
    matcher = HeaderMatcher(
        alias_index(SALES_FIELDS), alias_ranks(SALES_FIELDS), [s.name for s in SALES_FIELDS]
    )
    match = matcher.match(0, header)
    found = (match.field, match.confidence) if match else (None, 0)
    assert found == (field, confidence)


def test_blank_prices_are_unknown_but_a_wrong_price_is_still_a_problem_of_its_line(session_factory, tmp_path):
    headers = ["Receipt No", "Date", "Time", "Store ID", "Lineitem quantity", "Lineitem price"]
    rows = [
        ["1", "2026-03-02", "08:07", "S1", "2", "4.50"],
        ["2", "2026-03-02", "08:09", "S1", "1", ""],
        ["3", "2026-03-02", "08:12", "S1", "1", "n/a"],
    ]
    path = write_csv(tmp_path / "till.csv", headers, rows)
    before = table_counts(session_factory)

    with pytest.raises(ImportFailed) as failed:
        import_sales(session_factory, path, create_stores=True)

    assert str(failed.value).startswith("till.csv:4: Lineitem price: 'n/a' is not an amount")
    assert len(failed.value.problems) == 1
    assert table_counts(session_factory) == before

    result = import_sales(session_factory, path, create_stores=True, skip_bad=True)
    assert (result.orders_added, result.priceless_orders, result.revenue) == (2, 1, Decimal("9.00"))


def test_the_wizard_preview_sees_what_the_import_will_do():
    shown = preview(POS / FORMATS["shopify"].file, "sales")

    assert shown.usable
    by_header = {m.header: (m.field, m.confidence) for m in shown.columns}
    assert by_header["Lineitem quantity"] == ("quantity", 0.8)
    assert by_header["Lineitem price"] == ("unit_price", 0.8)
    assert (shown.money_rule.kind, shown.money_rule.columns) == (
        QUANTITY_X_PRICE,
        ("Lineitem quantity", "Lineitem price"),
    )
    assert {(u.match.header, u.reason) for u in shown.unused} == {
        ("Paid at", WEAKER),
        ("Subtotal", ORDER_LEVEL),
        ("Total", ORDER_LEVEL),
    }


def test_guesses_never_override_known_names_and_equal_guesses_are_shown(tmp_path):
    headers = ["Receipt", "Date", "Time", "Order Created", "Store", "Item Qty", "Qty Sold", "Price"]
    path = write_csv(
        tmp_path / "pos.csv", headers, [["1", "2026-03-02", "08:07", "2026-03-02 08:00", "S1", "2", "2", "4"]]
    )

    shown = preview(path, "sales")

    assert shown.mapping == {
        "Receipt": "order_id", "Date": "date", "Time": "time", "Store": "store_name",
        "Item Qty": "quantity", "Price": "unit_price",
    }  # fmt: skip
    assert {(u.match.header, u.reason, u.instead) for u in shown.unused} == {
        ("Order Created", NOT_NEEDED, "Date"),  # a guessed timestamp loses to known date and time
        ("Qty Sold", WEAKER, "Item Qty"),  # two equal guesses: the leftmost, and the other is shown
    }


def test_the_hint_for_an_order_level_total_works(session_factory, tmp_path):
    """The dry run says: 'Total' ... pass --map "Total=order_total"; doing so takes what each
    customer paid (tax included), once per order."""
    fmt = FORMATS["shopify"]
    unique = {tuple(r.values()): r for r in fmt.rows()}.values()  # a duplicated first line pays once
    paid = sum((money(r["Total"]) for r in unique if r["Total"] and r["Location"]), Decimal(0))

    result = import_sales(
        session_factory, POS / fmt.file, mapping={"Total": "order_total"}, rejects_path=tmp_path / "r.csv",
        **_keywords(fmt),
    )  # fmt: skip

    assert str(result.money_rule) == "revenue = 'Total' once per order (what the customer paid)"
    assert result.revenue == paid
    assert result.priceless_orders == 0  # the order without line prices still has its Total
