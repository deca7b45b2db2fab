"""Property tests: hostile and broken files never crash an import, never half-write, always say where.

For any CSV file made of known headers, garbage headers and cells of every kind (empty, huge,
unicode, quotes, line breaks, BOMs, GBK-encoded Chinese, broken bytes), an import either succeeds
or raises a ``StoremonError`` (normally ``ImportFailed``); after a failure every table holds
exactly the rows it held before; every problem reported names ``file:line:``. The settings file
parser gets the same treatment with random TOML-ish text. SQLite only: what is tested here is
reading files, and the database code they reach is covered on both engines elsewhere.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from storemon.config import ConfigError, Settings, load_settings
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import Region, Role, StaffMember, Store
from storemon.errors import StoremonError
from storemon.importers import ImportFailed, import_roster, import_sales, import_staff
from tests.storemon.import_files import table_counts

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
_files = itertools.count()

SALES_HEADERS = [
    "Receipt No", "Date", "Time", "Store ID", "Location", "Item", "Qty", "Unit Price", "Amount",
    "Order Total", "datetime", "订单号", "日期", "时间", "门店编号", "门店", "数量", "金额", "实收金额",
]  # fmt: skip
ROSTER_HEADERS = [
    "工号", "姓名", "门店编号", "门店", "日期", "上班时间", "下班时间", "岗位",
    "staff code", "name", "store id", "date", "start", "end", "role",
]  # fmt: skip
STAFF_HEADERS = [
    "code",
    "name",
    "store id",
    "store",
    "role",
    "phone",
    "email",
    "工号",
    "姓名",
    "岗位",
    "手机",
    "邮箱",
]
GARBAGE_HEADERS = ["", " ", "???", "Ünïcødé", "a,b", 'q"uote', "\ufeffStore ID", "x" * 300, "日期 ", "DATE"]

PLAUSIBLE = [
    "2026-03-02", "2026/3/2", "02/03/2026", "2026年3月2日", "08:07:10", "8:07", "23:59", "24:00",
    "2026-03-02 08:07:10", "2026-03-02T08:07:10+08:00", "46083.34", "S1", "S2", "s1", "人民广场店",
    "People's Square", "E001", "E002", "28.00", "¥28.00", "1,234.50", "-5", "0", "3", "0.5", "1e3",
    "店员", "店长", "值班主管", "shift lead", "admin", "a@b.co", "not an email", "13800138000",
]  # fmt: skip
SPECIAL = [
    '"', '""', "'", "\n", "\r\n", "\r", ",", ";", "\t", "=1+1", "@SUM(A1)", "NaN", "inf", "-inf", "1e309",
    "９９", "٣", "\u202eabc", "עברית", "<b>x</b>", "'; DROP TABLE stores; --", "\u0000", "\x1b[31m",
    "\ud7ff", "\U0001f600", "\ufeff", "\u00a0", "  ",
]  # fmt: skip
GBK_CHINESE = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗伟芳娜敏静丽强磊军洋店门口员工时间日期金额排班"

cells = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(SPECIAL),
    st.just(""),
    st.text(max_size=20),
    st.text(alphabet=GBK_CHINESE, min_size=1, max_size=12),
    st.builds(lambda ch, n: ch * n, st.sampled_from('x9中,"'), st.integers(1000, 20000)),
)


@dataclass(frozen=True)
class FuzzFile:
    name: str
    data: bytes

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data)
        return path


@st.composite
def csv_files(draw, known: list[str]) -> FuzzFile:
    headers = draw(st.lists(st.sampled_from(known + GARBAGE_HEADERS), max_size=8))
    width = len(headers)
    rows = draw(st.lists(st.lists(cells, min_size=max(0, width - 1), max_size=width + 1), max_size=6))
    preamble = draw(st.lists(st.lists(cells, max_size=3), max_size=2))  # a report title above the header
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
        writer.writerows([*preamble, headers, *rows])
    else:  # hand-written, quotes and all: not always valid CSV
        buffer.write("\n".join(delimiter.join(r) for r in [*preamble, headers, *rows]))
    content = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1"]))
    try:
        data = content.encode(encoding)
    except UnicodeEncodeError:
        data = content.encode("utf-8", "surrogatepass")
    cut = draw(st.one_of(st.none(), st.integers(0, max(len(data) - 1, 0))))
    if cut is not None and draw(st.booleans()):
        data = data[:cut]  # a download that stopped half-way, maybe inside a character
    data += draw(st.one_of(st.just(b""), st.binary(max_size=12)))
    suffix = draw(st.sampled_from([".csv", ".txt", ".CSV", ".xlsx"]))
    return FuzzFile(f"fuzz-{next(_files)}{suffix}", data)


def _often(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly a well-formed value for the column, sometimes anything at all."""
    return st.one_of(good, good, good, good, good, cells)


dates = st.dates(date(2020, 1, 1), date(2030, 12, 31)).flatmap(
    lambda d: st.sampled_from(
        [d.isoformat(), d.strftime("%Y/%m/%d"), d.strftime("%d/%m/%Y"), f"{d.year}年{d.month}月{d.day}日"]
    )
)
times = st.times().flatmap(
    lambda t: st.sampled_from([t.strftime("%H:%M:%S"), t.strftime("%H:%M"), f"{t.hour}:{t.minute:02d}"])
)
amounts = st.one_of(
    st.decimals(min_value=-1000, max_value=10**12, places=2, allow_nan=False).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
stores = st.sampled_from(["S1", "S2", "s1", "人民广场店", "People's Square", "NEW-STORE", ""])
roles = st.sampled_from(["店员", "店长", "值班主管", "staff", "store_manager", "admin", "boss", ""])

COLUMNS = {  # kind: (columns every file has, columns it may have)
    "sales": (
        {"Date": dates, "Time": times, "Store ID": stores, "Unit Price": amounts},
        {"Receipt No": st.integers(1, 10**30).map(str), "Qty": st.integers(-3, 10**12).map(str), "Amount": amounts},
    ),
    "roster": (
        {"工号": st.sampled_from(["E001", "E002", "E999", "e001"]), "日期": dates, "上班时间": times, "下班时间": times},
        {"门店编号": stores, "岗位": roles},
    ),
    "staff": (
        {"code": st.text(alphabet="E0123456789-", min_size=1, max_size=70)},
        {
            "name": st.text(alphabet=GBK_CHINESE + "ab '", min_size=1, max_size=250),
            "store id": stores,
            "role": roles,
            "phone": st.text(alphabet="+0123456789 -", max_size=80),
            "email": st.sampled_from(["a@b.co", "x" * 250 + "@b.co", "no", ""]),
        },
    ),
}  # fmt: skip


@st.composite
def column_files(draw, kind: str) -> FuzzFile:
    """A file whose columns are right and whose cells are mostly plausible: reaches the row parsing."""
    required, optional = COLUMNS[kind]
    spec = {**required, **optional}
    chosen = draw(st.lists(st.sampled_from(list(optional)), unique=True))
    headers = draw(st.permutations([*required, *chosen]))
    rows = draw(st.lists(st.tuples(*[_often(spec[h]) for h in headers]), min_size=1, max_size=8))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    encoding = draw(st.sampled_from(["utf-8-sig", "gbk"]))
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode("utf-8")
    return FuzzFile(f"fuzz-{next(_files)}.csv", data)


# ------------------------------------------------------------------------------------ the database


@pytest.fixture
def sessions(sqlite_url):
    engine = make_engine(sqlite_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        region = Region(code="E", name="East")
        s1 = Store(code="S1", name="人民广场店", location="People's Square", region=region)
        s2 = Store(code="S2", name="静安寺店", location="Jing'an Temple", region=region)
        session.add_all([s1, s2])
        session.flush()
        session.add_all(
            [
                StaffMember(code="E001", name="王伟", home_store_id=s1.id, role=Role.STAFF),
                StaffMember(code="E002", name="李娜", home_store_id=s2.id, role=Role.SHIFT_LEAD),
            ]
        )
    yield factory
    engine.dispose()


def _located(problem, name: str) -> bool:
    return problem.file == name and problem.line >= 1 and re.match(rf"^{re.escape(name)}:\d+: ", str(problem))


def _check(run, factory, folder: Path, fuzz: FuzzFile, **options) -> None:
    path = fuzz.write(folder)
    before = table_counts(factory)
    rejects = folder / f"{fuzz.name}.rejects.csv"
    try:
        result = run(factory, path, rejects_path=rejects, **options)
    except ImportFailed as exc:
        event("refused: ImportFailed")
        assert exc.problems, "a failed import says why"
        bad = [str(p) for p in exc.problems if not _located(p, fuzz.name)]
        assert not bad, f"problems without file:line: {bad}"
        assert str(exc).startswith(f"{fuzz.name}:")
        assert table_counts(factory) == before, "a failed import wrote something"
        assert not rejects.exists() and not rejects.with_name(rejects.name + ".part").exists()
    except StoremonError as exc:
        event(f"refused: {type(exc).__name__}")
        assert table_counts(factory) == before, "a failed import wrote something"
    else:
        event("imported" + (" with rejects" if result.rejected_count else ""))
        assert result.rows_imported <= result.rows_read or result.already_imported
        bad = [str(p) for p in result.rejected if not _located(p, fuzz.name)]
        assert not bad, f"rejected rows without file:line: {bad}"
    # Anything else (ValueError, UnicodeError, IntegrityError, OverflowError...) fails the test.


options = st.fixed_dictionaries(
    {"skip_bad": st.booleans(), "create_stores": st.booleans()},
    optional={"store_code": st.sampled_from(["S1", "s1", "NOPE", "人民广场店"])},
)


@FUZZ
@given(
    fuzz=st.one_of(csv_files(SALES_HEADERS), column_files("sales")),
    opts=options,
    day_first=st.sampled_from([None, True, False]),
)
def test_sales_import_fails_cleanly_on_any_file(sessions, tmp_path, fuzz, opts, day_first):
    _check(import_sales, sessions, tmp_path, fuzz, day_first=day_first, **opts)


@FUZZ
@given(
    fuzz=st.one_of(csv_files(ROSTER_HEADERS), column_files("roster")),
    opts=options,
    create_staff=st.booleans(),
)
def test_roster_import_fails_cleanly_on_any_file(sessions, tmp_path, fuzz, opts, create_staff):
    _check(import_roster, sessions, tmp_path, fuzz, create_staff=create_staff, **opts)


@FUZZ
@given(
    fuzz=st.one_of(csv_files(STAFF_HEADERS), column_files("staff")),
    skip_bad=st.booleans(),
    create_stores=st.booleans(),
)
@example(
    fuzz=FuzzFile("utf16-cut.csv", b"\xff\xfe\x00"), skip_bad=False, create_stores=False
)  # found by this test
def test_staff_import_fails_cleanly_on_any_file(sessions, tmp_path, fuzz, skip_bad, create_stores):
    _check(import_staff, sessions, tmp_path, fuzz, skip_bad=skip_bad, create_stores=create_stores)


# ------------------------------------------------------------------------------------ settings file

toml_values = st.one_of(
    st.text(max_size=30).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.text(max_size=30).map(lambda s: "'" + s + "'"),
    st.sampled_from(
        [
            '"sqlite:///tmp/x.sqlite3"', '"postgresql://u:p@h/db?sslmode=verify-full"', '"DEBUG"', '"INFO"',
            "42", "-0", "1e400", "nan", "true", "false", "[1, 2]", '["a", 3]', "{ a = 1 }", "2026-03-09",
            "07:30:00", '"""multi\nline"""', "'''raw'''", '"\\q"', '"\\u00e9"', '"\\ud800"', "", "=", "[[",
        ]
    ),
)  # fmt: skip
toml_keys = st.one_of(
    st.sampled_from(
        ["database_url", "log_level", "databse_url", "a.b", '"quoted key"', "日志", "[section]", "[[array]]"]
    ),
    st.text(max_size=10),
)
toml_lines = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", toml_keys, toml_values),
    st.text(max_size=40),
    st.just("# a comment"),
    st.just(""),
)


@FUZZ
@given(
    lines=st.lists(toml_lines, max_size=6),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "gbk", "utf-16", "latin-1"]),
    tail=st.binary(max_size=8),
)
def test_settings_file_is_read_or_refused_with_its_path(tmp_path, lines, bom, encoding, tail):
    path = tmp_path / "settings.toml"
    text = ("\ufeff" if bom else "") + "\n".join(lines)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    path.write_bytes(data + tail)
    try:
        loaded = load_settings(path)
    except ConfigError as exc:
        assert str(exc).startswith(f"{path}:"), str(exc)
        return
    assert isinstance(loaded, Settings)
    assert loaded.database_url is None or isinstance(loaded.database_url, str)
    assert isinstance(loaded.log_level, str)


def test_a_settings_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Windows Notepad (before 2019) saves UTF-8 with a BOM; the file must still work (see the config patch)."""
    path = tmp_path / "settings.toml"
    path.write_bytes('\ufeffdatabase_url = "postgresql://app@db.example/storemon"\n'.encode())
    assert load_settings(path).database_url == "postgresql://app@db.example/storemon"


def test_a_settings_file_that_is_a_folder_is_refused_clearly(tmp_path):
    path = tmp_path / "settings.toml"
    path.mkdir()
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_settings(path)


def test_absurd_amounts_and_quantities_are_problems_not_crashes(session_factory, tmp_path):
    """Found by the sales property above: 30-digit prices broke Decimal, and PostgreSQL's NUMERIC(14, 2)
    and 32-bit item counts would overflow (see the importer patch); both engines."""
    with session_factory.begin() as session:
        session.add(Store(code="S1", name="人民广场店"))
    before = table_counts(session_factory)
    path = tmp_path / "absurd.csv"
    path.write_text(
        "Receipt No,Date,Time,Store ID,Qty,Unit Price\n"
        f"1,2026-03-02,08:00,S1,1,{'9' * 400}\n"
        "2,2026-03-02,08:01,S1,1000000000000,28.00\n"
        "3,2026-03-02,08:02,S1,1,999999999.99\n"
        "3,2026-03-02,08:02:30,S1,1,999999999.99\n"  # not identical: an exact duplicate is dropped
        "4,2026-03-02,08:03,S1,1,28.00\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        import_sales(session_factory, path)
    assert [p.line for p in failed.value.problems] == [2, 3, 4]
    assert all(_located(p, "absurd.csv") for p in failed.value.problems)
    assert table_counts(session_factory) == before
    result = import_sales(session_factory, path, skip_bad=True, rejects_path=tmp_path / "rejects.csv")
    assert (result.orders_added, result.rejected_count) == (1, 3)
