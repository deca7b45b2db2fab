"""Sales import: POS exports as real tills write them -> distinct orders in 15-minute UTC buckets."""

from __future__ import annotations

import csv
import random
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storemon.db.models import ImportBatch, SalesBucket, SalesOrder, Store
from storemon.importers import ImportCancelled, ImportFailed, import_sales
from tests.storemon.import_files import table_counts, write_csv, write_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")
EN_HEADERS = ["Receipt No", "Date", "Time", "Store ID", "Location", "Item", "Qty", "Unit Price"]
ITEMS = [("Latte", "28.00"), ("Americano", "22.00"), ("Croissant", "15.50"), ("Tea", "18.00")]
LOCATIONS = {"S1": "People's Square", "S2": "Jing'an Temple"}


def pos_rows(orders: int = 40, first: int = 1001, seed: int = 1) -> list[list[str]]:
    """Line items of ``orders`` receipts in two stores, the first at 08:07:10 local time."""
    rng = random.Random(seed)
    rows = []
    when = datetime(2026, 3, 2, 8, 7, 10)
    for n in range(orders):
        store = "S1" if n % 3 else "S2"
        # Different items per receipt: a row identical to another of its receipt is a duplicate.
        for item, price in rng.sample(ITEMS, rng.randint(1, 3)):
            rows.append(
                [str(first + n), when.strftime("%Y-%m-%d"), when.strftime("%H:%M:%S"), store,
                 LOCATIONS[store], item, str(rng.randint(1, 3)), price]
            )  # fmt: skip
        when += timedelta(seconds=rng.randint(60, 600))
    return rows


def expected_buckets(rows: list[list[str]], zone: ZoneInfo = SHANGHAI) -> dict[tuple[str, datetime], tuple]:
    """(store, UTC bucket) -> (orders, items, revenue), computed straight from the file's rows."""
    first_seen: dict[tuple[str, str], datetime] = {}
    items: dict[tuple[str, str], int] = Counter()
    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for receipt, day, clock, store, _loc, _item, qty, price in rows:
        local = datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S")
        key = (store, receipt)
        first_seen[key] = min(first_seen.get(key, local), local)
        items[key] += int(qty)
        revenue[key] += int(qty) * Decimal(price)
    out: dict[tuple[str, datetime], list] = {}
    for key, local in first_seen.items():
        start = local.replace(minute=local.minute - local.minute % 15, second=0)
        utc = start.replace(tzinfo=zone).astimezone(UTC)
        agg = out.setdefault((key[0], utc), [0, 0, Decimal(0)])
        agg[0] += 1
        agg[1] += items[key]
        agg[2] += revenue[key]
    return {k: tuple(v) for k, v in out.items()}


def stored_buckets(session_factory) -> dict[tuple[str, datetime], tuple]:
    """Bucket totals summed over batches, as the rest of Storemon reads them."""
    with session_factory() as session:
        query = (
            select(
                Store.code,
                SalesBucket.bucket_start,
                func.sum(SalesBucket.orders),
                func.sum(SalesBucket.items),
                func.sum(SalesBucket.revenue),
            )
            .join(Store, Store.id == SalesBucket.store_id)
            .group_by(Store.code, SalesBucket.bucket_start)
        )
        return {
            (code, start): (int(o), int(i), Decimal(r)) for code, start, o, i, r in session.execute(query)
        }


def add_store(session_factory, code: str, name: str, timezone: str = "Asia/Shanghai") -> None:
    with session_factory() as session:
        session.add(Store(code=code, name=name, timezone=timezone))
        session.commit()


def test_line_item_export_with_date_time_qty_price_and_store_columns(session_factory, tmp_path):
    rows = pos_rows(60)
    path = write_csv(tmp_path / "pos.csv", EN_HEADERS, rows)

    result = import_sales(session_factory, path, create_stores=True)

    receipts = {(r[3], r[0]) for r in rows}
    assert result.orders_added == len(receipts)
    assert result.rows_read == result.rows_imported == len(rows)
    assert sorted(result.stores_created) == ["S1", "S2"]
    assert stored_buckets(session_factory) == expected_buckets(rows)
    # 08:07 in Shanghai is 00:07 UTC: the first order sits in the 00:00 UTC bucket.
    starts = sorted(start for _, start in stored_buckets(session_factory))
    assert starts[0] == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    with session_factory() as session:
        s1 = session.scalars(select(Store).where(Store.code == "S1")).one()
        assert (s1.name, s1.timezone, s1.region_id) == ("People's Square", "Asia/Shanghai", None)
        batch = session.scalars(select(ImportBatch)).one()
        assert (batch.kind, batch.source_name, batch.imported_by) == ("sales", "pos.csv", "cli")


def test_one_bad_date_fails_the_whole_file_and_writes_nothing(session_factory, tmp_path):
    add_store(session_factory, "S1", "People's Square")
    rows = pos_rows(60)
    rows[55][1] = "2026-02-30"  # physical line 57: header is line 1
    path = write_csv(tmp_path / "bad.csv", EN_HEADERS, rows)
    before = table_counts(session_factory)

    with pytest.raises(ImportFailed) as failed:
        import_sales(session_factory, path, create_stores=True)

    assert [str(p).split(" ", 1)[0] for p in failed.value.problems] == ["bad.csv:57:"]
    message = str(failed.value)
    assert message.startswith("bad.csv:57: Date: '2026-02-30' is not a real date")
    assert "2026-03-02" in message  # says what a date should look like
    assert table_counts(session_factory) == before
    assert not (tmp_path / "bad.csv.rejects.csv").exists()


def test_skip_bad_imports_the_rest_and_writes_the_rejects(session_factory, tmp_path):
    rows = pos_rows(60)
    rows[55][1] = "2026-02-30"
    rows[10][6] = "two"
    path = write_csv(tmp_path / "bad.csv", EN_HEADERS, rows)

    result = import_sales(session_factory, path, create_stores=True, skip_bad=True)

    assert [(p.line, p.column) for p in result.rejected] == [(12, "Qty"), (57, "Date")]
    assert result.rejects_file == tmp_path / "bad.csv.rejects.csv"
    with open(result.rejects_file, encoding="utf-8-sig", newline="") as fh:
        rejects = list(csv.reader(fh))
    assert rejects[0] == ["rejected_line", "rejected_column", "rejected_problem", *EN_HEADERS]
    assert [r[0] for r in rejects[1:]] == ["12", "57"]
    assert rejects[2][3:] == rows[55]
    good = [r for i, r in enumerate(rows) if i not in (10, 55)]
    assert stored_buckets(session_factory) == expected_buckets(good)
    assert result.rows_imported == len(good)


def test_same_file_twice_changes_nothing_and_an_overlapping_file_adds_only_new_orders(
    session_factory, tmp_path
):
    rows = pos_rows(50)
    first = write_csv(tmp_path / "week1.csv", EN_HEADERS, rows)
    import_sales(session_factory, first, create_stores=True)
    counts = table_counts(session_factory)

    again = import_sales(session_factory, first, create_stores=True)
    assert again.already_imported and again.orders_added == 0
    assert table_counts(session_factory) == counts

    # Receipts 1031.. overlap the first file; 1051.. are new. Line order differs from the first file.
    later = pos_rows(40, first=1031, seed=1)
    overlap = {r[0] for r in rows} & {r[0] for r in later}
    merged = rows + [r for r in later if r[0] not in overlap]
    later_rows = [r for r in rows if r[0] in overlap][::-1] + [r for r in later if r[0] not in overlap]
    second = write_csv(tmp_path / "week2.csv", EN_HEADERS, later_rows)

    result = import_sales(session_factory, second, create_stores=True)

    assert result.skipped_duplicates == len(overlap)
    assert result.orders_added == len({r[0] for r in later_rows}) - len(overlap)
    assert stored_buckets(session_factory) == expected_buckets(merged)
    with session_factory() as session:
        assert session.execute(select(func.count()).select_from(SalesOrder)).scalar_one() == len(
            {r[0] for r in merged}
        )


def test_gbk_file_with_chinese_headers(sqlite_factory, tmp_path):
    headers = ["订单号", "日期", "时间", "门店", "商品", "数量", "单价"]
    rows = [
        ["A01", "2026年3月2日", "8:07", "人民广场店", "拿铁", "2", "28"],
        ["A01", "2026年3月2日", "8:07", "人民广场店", "可颂", "1", "15.5"],
        ["A02", "2026年3月2日", "8:31", "静安寺店", "美式", "1", "22"],
        ["A03", "2026年3月2日", "下午 1:05", "人民广场店", "茶", "3", "18"],
    ]
    path = write_csv(tmp_path / "销售.csv", headers, rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")

    result = import_sales(sqlite_factory, path, create_stores=True)

    assert result.orders_added == 3
    assert sorted(result.stores_created) == ["人民广场店", "静安寺店"]
    buckets = stored_buckets(sqlite_factory)
    assert buckets[("人民广场店", datetime(2026, 3, 2, 0, 0, tzinfo=UTC))] == (1, 3, Decimal("71.50"))
    assert buckets[("静安寺店", datetime(2026, 3, 2, 0, 30, tzinfo=UTC))] == (1, 1, Decimal("22.00"))
    assert buckets[("人民广场店", datetime(2026, 3, 2, 5, 0, tzinfo=UTC))] == (1, 3, Decimal("54.00"))


def test_utf8_bom_semicolon_file_matches_stores_by_location(sqlite_factory, tmp_path):
    add_store(sqlite_factory, "PS", "People's Square")
    rows = [
        ["1", "2026-03-02", "08:07", "People's Square", "12,50"],
        ["2", "2026-03-02", "08:20", "people's square", "3,00"],
    ]
    path = write_csv(
        tmp_path / "eu.csv", ["Ticket", "Date", "Time", "Location", "Amount"], rows, delimiter=";"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    import_sales(sqlite_factory, path)

    assert stored_buckets(sqlite_factory) == {
        ("PS", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 1, Decimal("12.50")),
        ("PS", datetime(2026, 3, 2, 0, 15, tzinfo=UTC)): (1, 1, Decimal("3.00")),
    }


def test_xlsx_with_datetime_cells_and_title_rows(sqlite_factory, tmp_path):
    path = write_xlsx(
        tmp_path / "export.xlsx",
        [
            ["门店销售明细"],  # a title row above the header, as many POS exports have
            [],
            ["交易号", "交易时间", "门店编号", "门店名称", "数量", "金额"],
            [5001, datetime(2026, 3, 2, 8, 7, 10), "S1", "人民广场店", 2, 56.0],
            [5001, datetime(2026, 3, 2, 8, 7, 10), "S1", "人民广场店", 1, 15.5],
            [5002, datetime(2026, 3, 2, 23, 59, 59), "S1", "人民广场店", 1, 22],
            ["合计", None, None, None, 4, 93.5],  # the totals row at the bottom
        ],
    )

    result = import_sales(sqlite_factory, path, create_stores=True)

    assert (result.rows_read, result.orders_added) == (3, 2)
    assert stored_buckets(sqlite_factory) == {
        ("S1", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 3, Decimal("71.50")),
        ("S1", datetime(2026, 3, 2, 15, 45, tzinfo=UTC)): (1, 1, Decimal("22.00")),
    }


def test_xlsx_bad_cell_is_reported_at_its_sheet_row(sqlite_factory, tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [["Order", "Timestamp", "Total"], ["1", datetime(2026, 3, 2, 8, 0), 10], ["2", "yesterday", 10]],
    )
    add_store(sqlite_factory, "S1", "One")

    with pytest.raises(ImportFailed) as failed:
        import_sales(sqlite_factory, path, store_code="S1")

    assert str(failed.value).startswith("bad.xlsx:3: Timestamp: 'yesterday' is not a date")


def test_order_per_row_file_with_timestamp_and_total_for_one_store(session_factory, tmp_path):
    add_store(session_factory, "LDN1", "Soho", timezone="Europe/London")
    rows = [
        ["2026-07-01 08:07:00", "4.50"],
        ["2026-07-01 08:07:00", "4.50"],  # two identical orders in the same second: both count
        ["2026-07-01 08:14:59", "3.00"],
        ["2026-07-01T08:15:00+01:00", "7.25"],
    ]
    path = write_csv(tmp_path / "till.csv", ["Timestamp", "Total"], rows)

    result = import_sales(session_factory, path, store_code="LDN1")

    assert result.orders_added == 4
    # London is UTC+1 in July.
    assert stored_buckets(session_factory) == {
        ("LDN1", datetime(2026, 7, 1, 7, 0, tzinfo=UTC)): (3, 3, Decimal("12.00")),
        ("LDN1", datetime(2026, 7, 1, 7, 15, tzinfo=UTC)): (1, 1, Decimal("7.25")),
    }
    # The same rows in another file (a re-export) are recognised as the same orders.
    rows.append(["2026-07-01 09:00:00", "5.00"])
    again = import_sales(
        session_factory, write_csv(tmp_path / "till2.csv", ["Timestamp", "Total"], rows), store_code="LDN1"
    )
    assert (again.orders_added, again.skipped_duplicates) == (1, 4)


def test_mapping_overrides_odd_headers(sqlite_factory, tmp_path):
    add_store(sqlite_factory, "F7", "Filiale 7")
    rows = [["B-1", "02.03.2026 08:07", "F7", "9,80"], ["B-2", "02.03.2026 08:40", "F7", "4,20"]]
    path = write_csv(
        tmp_path / "kasse.csv", ["Bon-Nr", "Zeitpunkt", "Filiale", "Betrag"], rows, delimiter=";"
    )
    mapping = {"Bon-Nr": "order_id", "Zeitpunkt": "datetime", "Filiale": "store_code", "Betrag": "total"}

    with pytest.raises(ImportFailed) as failed:
        import_sales(sqlite_factory, path)
    assert "No date or timestamp column found" in str(failed.value)
    assert "'Bon-Nr', 'Zeitpunkt', 'Filiale', 'Betrag'" in str(failed.value)
    assert '--map "HEADER=datetime"' in str(failed.value)

    with pytest.raises(ImportFailed) as ambiguous:
        import_sales(sqlite_factory, path, mapping=mapping)
    assert "ambiguous" in str(ambiguous.value) and "--day-first" in str(ambiguous.value)

    import_sales(sqlite_factory, path, mapping=mapping, day_first=True)
    assert stored_buckets(sqlite_factory) == {
        ("F7", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 1, Decimal("9.80")),
        ("F7", datetime(2026, 3, 2, 0, 30, tzinfo=UTC)): (1, 1, Decimal("4.20")),
    }


def test_unknown_store_without_create_stores_says_what_to_do(sqlite_factory, tmp_path):
    path = write_csv(tmp_path / "pos.csv", EN_HEADERS, pos_rows(3))
    before = table_counts(sqlite_factory)

    with pytest.raises(ImportFailed) as failed:
        import_sales(sqlite_factory, path)

    first = failed.value.problems[0]
    assert (first.line, first.column) == (2, "Store ID")
    assert "unknown store" in first.message and "--create-stores" in first.message
    assert table_counts(sqlite_factory) == before


def test_files_that_are_not_usable_fail_with_one_clear_problem(sqlite_factory, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    header_only = write_csv(tmp_path / "header.csv", EN_HEADERS, [])
    cases = {empty: "empty", xls: "save as .xlsx", header_only: "no data rows"}
    for path, words in cases.items():
        with pytest.raises(ImportFailed) as failed:
            import_sales(sqlite_factory, path, create_stores=True)
        assert len(failed.value.problems) == 1 and failed.value.problems[0].line == 1
        assert words in str(failed.value)


def test_refund_lines_and_negative_orders_are_problems(sqlite_factory, tmp_path):
    factory = sqlite_factory
    rows = pos_rows(5)
    rows[2][6] = "-1"
    path = write_csv(tmp_path / "refund.csv", EN_HEADERS, rows)
    with pytest.raises(ImportFailed) as failed:
        import_sales(factory, path, create_stores=True)
    assert "refund.csv:4: Qty: negative quantity -1" in str(failed.value)


def test_progress_is_reported_and_cancel_rolls_back(sqlite_factory, tmp_path):
    factory = sqlite_factory
    path = write_csv(tmp_path / "pos.csv", EN_HEADERS, pos_rows(20))
    before = table_counts(factory)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportCancelled):
        import_sales(factory, path, create_stores=True, cancel=cancel)
    assert table_counts(factory) == before

    seen: list[tuple[int, int]] = []
    result = import_sales(
        factory, path, create_stores=True, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (result.rows_read, result.rows_read)


def test_many_problems_are_capped_in_the_message(sqlite_factory, tmp_path):
    factory = sqlite_factory
    rows = pos_rows(30)
    for row in rows:
        row[2] = "late"
    path = write_csv(tmp_path / "pos.csv", EN_HEADERS, rows)
    with pytest.raises(ImportFailed) as failed:
        import_sales(factory, path, create_stores=True)
    lines = str(failed.value).splitlines()
    assert len(lines) == 21 and lines[-1] == f"and {len(rows) - 20} more"


def test_sample_chinese_pos_export_uses_what_the_customer_paid(sqlite_factory):
    """tests/storemon/data/pos_export_zh.csv: title rows, a discount line, a totals row, and
    receipt numbers that restart per store."""
    path = Path(__file__).with_name("data") / "pos_export_zh.csv"

    result = import_sales(sqlite_factory, path, create_stores=True)

    assert (result.rows_read, result.orders_added, sorted(result.stores_created)) == (
        5,
        3,
        ["SH001", "SH002"],
    )
    assert stored_buckets(sqlite_factory) == {
        ("SH001", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 4, Decimal("66.50")),
        ("SH001", datetime(2026, 3, 2, 0, 15, tzinfo=UTC)): (1, 1, Decimal("22.00")),
        ("SH002", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 1, Decimal("30.00")),
    }


def test_store_found_by_its_name_when_the_till_numbers_stores_its_own_way(sqlite_factory, tmp_path):
    add_store(sqlite_factory, "SH001", "人民广场店")
    add_store(sqlite_factory, "BJ007", "万达店")
    add_store(sqlite_factory, "SZ003", "万达店")
    headers = ["订单号", "下单时间", "门店ID", "门店名称", "金额"]
    good = write_csv(tmp_path / "a.csv", headers, [["1", "2026-03-02 08:07", "101", "人民广场店", "10"]])
    import_sales(sqlite_factory, good)
    assert stored_buckets(sqlite_factory) == {
        ("SH001", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)): (1, 1, Decimal("10.00"))
    }

    shared = write_csv(tmp_path / "b.csv", headers, [["1", "2026-03-02 08:07", "102", "万达店", "10"]])
    with pytest.raises(
        ImportFailed, match="b.csv:2: 门店ID: several stores are called '万达店'; give the store code"
    ):
        import_sales(sqlite_factory, shared, create_stores=True)
