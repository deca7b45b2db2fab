"""Stores on their own clock: time zones and opening hours from imports, `storemon store edit`,
local times in reports, and store codes that are always codes. Through the real command line,
on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from storemon.cli import main
from storemon.db.engine import make_engine, make_session_factory
from storemon.db.models import AuditEntry, Region, Role, SalesBucket, Store, StoreHours, TierPolicy, User
from storemon.services.opening_hours import infer_hours, parse_hours_spec
from tests.storemon.import_files import table_counts, write_csv

SUMMER = date(2026, 6, 1)  # a Monday; New York is on EDT (-04:00)
WINTER = date(2026, 12, 7)  # a Monday; New York is on EST (-05:00)
WEEKDAY_HOURS = (7 * 60, 21 * 60)
SATURDAY_HOURS = (8 * 60 + 30, 18 * 60)
SUNDAY_HOURS = (9 * 60, 17 * 60)


def _hours_of(day: date) -> tuple[int, int]:
    return {5: SATURDAY_HOURS, 6: SUNDAY_HOURS}.get(day.weekday(), WEEKDAY_HOURS)


def _sales_rows(store: str, first: date, days: int, zone: str | None = None) -> list[list[str]]:
    """One order every ten minutes from five minutes after opening to closing; the zone column optional."""
    rows = []
    for k in range(days):
        day = first + timedelta(days=k)
        opens, closes = _hours_of(day)
        for n, minute in enumerate(range(opens + 5, closes, 10)):
            row = [store, f"{day:%m%d}-{n}", day.isoformat(), f"{minute // 60:02d}:{minute % 60:02d}", "4.50"]
            rows.append([*row, zone] if zone is not None else row)
    return rows


HEADERS = ["Store ID", "Receipt No", "Date", "Time", "Total"]


@pytest.fixture
def cli(db_url, capsys):
    """``storemon --db URL ...`` as a user types it: (exit status, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(["--db", db_url, *argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def sessions(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _store(sessions, code: str) -> Store:
    with sessions() as session:
        store = session.scalars(select(Store).where(Store.code == code)).one()
        session.expunge(store)
        return store


def _store_hours(sessions, code: str) -> dict[int, tuple[time, time]]:
    with sessions() as session:
        rows = session.scalars(
            select(StoreHours).join(Store, Store.id == StoreHours.store_id).where(Store.code == code)
        ).all()
        return {r.weekday: (r.opens_at, r.closes_at) for r in rows}


# ------------------------------------------------------------------ zones and hours from an import


def test_create_stores_with_timezone_buckets_on_new_york_time_and_infers_weekday_hours(
    cli, sessions, tmp_path
):
    rows = _sales_rows("NY1", SUMMER, 14)
    rows.append(["NY1", "stray", "2026-06-06", "06:02", "3.00"])  # a staff coffee before a Saturday opens
    path = write_csv(tmp_path / "ny.csv", HEADERS, rows)

    status, out, err = cli("import", "sales", str(path), "--create-stores", "--timezone", "America/New_York")

    assert status == 0, err
    assert "created stores NY1" in out
    assert "NY1: opening hours from its sales: Mon-Fri 07:00-21:00, Sat 08:30-18:00, Sun 09:00-17:00" in out
    store = _store(sessions, "NY1")
    assert store.timezone == "America/New_York"
    assert _store_hours(sessions, "NY1") == {
        **{d: (time(7), time(21)) for d in range(5)},
        5: (time(8, 30), time(18)),
        6: (time(9), time(17)),
    }
    # The 07:05 Monday order is in the 07:00 New York bucket, 11:00 UTC in summer.
    with sessions() as session:
        first = session.scalar(select(SalesBucket.bucket_start).order_by(SalesBucket.bucket_start).limit(1))
    assert (first.hour, first.minute) == (11, 0)


def test_timezone_needs_a_known_zone_and_create_stores(cli, sessions, tmp_path):
    path = write_csv(tmp_path / "ny.csv", HEADERS, _sales_rows("NY1", SUMMER, 1))
    before = table_counts(sessions)

    status, _, err = cli("import", "sales", str(path), "--create-stores", "--timezone", "America/NewYork")
    assert status == 2
    assert "--timezone: 'America/NewYork' is not a known time zone" in err

    status, _, err = cli("import", "sales", str(path), "--timezone", "America/New_York")
    assert status == 2 and "add --create-stores" in err
    assert table_counts(sessions) == before


def test_a_time_zone_column_sets_each_created_store_and_must_agree_with_existing_ones(
    cli, sessions, tmp_path
):
    headers = [*HEADERS, "Time Zone"]
    rows = _sales_rows("LA1", SUMMER, 2, "America/Los_Angeles") + _sales_rows(
        "LDN", SUMMER, 2, "Europe/London"
    )
    path = write_csv(tmp_path / "two.csv", headers, rows)

    status, out, err = cli("import", "sales", str(path), "--create-stores")

    assert status == 0, err
    assert _store(sessions, "LA1").timezone == "America/Los_Angeles"
    assert _store(sessions, "LDN").timezone == "Europe/London"

    # A later file that puts LA1 on another clock, or on no clock at all, is refused row by row.
    wrong = _sales_rows("LA1", SUMMER + timedelta(days=7), 1, "Asia/Shanghai")[:1]
    bad = _sales_rows("LDN", SUMMER + timedelta(days=7), 1, "Atlantis")[:1]
    path = write_csv(tmp_path / "wrong.csv", headers, wrong + bad)
    before = table_counts(sessions)

    status, _, err = cli("import", "sales", str(path), "--create-stores")

    assert status == 2
    assert (
        "wrong.csv:2: Store ID: the row says time zone Asia/Shanghai but store LA1 keeps America/Los_Angeles"
        in err
    )
    assert "wrong.csv:3: Store ID: 'Atlantis' is not a known time zone" in err
    assert table_counts(sessions) == before


def test_hours_are_inferred_for_an_existing_store_only_while_nobody_set_them(cli, sessions, tmp_path):
    with sessions.begin() as session:
        session.add_all([Store(code="OLD", name="Old"), Store(code="SET", name="Set")])
    assert cli("store", "edit", "SET", "--hours", "07:00-21:00")[0] == 0  # chosen, even if the default
    assert cli("store", "edit", "OLD", "--patience", "5")[0] == 0  # its hours are still nobody's choice

    path = write_csv(
        tmp_path / "both.csv", HEADERS, _sales_rows("OLD", SUMMER, 7) + _sales_rows("SET", SUMMER, 7)
    )
    status, out, err = cli("import", "sales", str(path))

    assert status == 0, err
    assert "OLD: opening hours from its sales: Mon-Fri 07:00-21:00, Sat 08:30-18:00" in out
    assert "SET: opening hours" not in out
    assert _store_hours(sessions, "OLD")[5] == (time(8, 30), time(18))
    assert _store_hours(sessions, "SET") == {}


def test_inferred_hours_ignore_a_stray_order_and_a_day_with_a_single_order():
    from datetime import datetime

    def quarters(day: date, first: int, last: int) -> list[datetime]:
        return [datetime.combine(day, time()) + timedelta(minutes=m) for m in range(first, last, 15)]

    saturdays = [SUMMER + timedelta(days=5 + 7 * k) for k in range(4)]
    starts = [s for day in saturdays for s in quarters(day, 8 * 60 + 30, 18 * 60)]
    starts.append(datetime.combine(saturdays[1], time(6, 0)))  # one early order on one Saturday
    starts.append(datetime.combine(saturdays[2], time(19, 40)))  # one late order on another
    starts.append(datetime.combine(SUMMER + timedelta(days=6), time(12, 5)))  # a lone Sunday order

    inferred = infer_hours(starts)

    assert inferred.days == {5: (time(8, 30), time(18))}
    assert inferred.days_used == {5: 4}


# ------------------------------------------------------------------ storemon store edit


def _chain(sessions) -> None:
    with sessions.begin() as session:
        east, west = Region(code="EAST", name="East"), Region(code="WEST", name="West")
        session.add_all([east, west, TierPolicy(name="Small stores")])
        session.flush()
        session.add_all(
            [
                Store(code="NY1", name="Broadway", region_id=east.id),
                Store(code="SF1", name="Mission", region_id=west.id),
            ]
        )
        session.add_all(
            [
                User(username="sup-east", display_name="East", role=Role.OPS_SUPERVISOR, region_id=east.id),
                User(username="director", display_name="Director", role=Role.SERVICE_DIRECTOR),
            ]
        )


def test_store_edit_changes_every_setting_and_audits_it(cli, sessions):
    _chain(sessions)

    status, out, err = cli(
        "--as", "director", "store", "edit", "NY1",
        "--timezone", "America/New_York",
        "--hours", "07:00-20:00", "--hours", "sat,sun=09:00-18:30",
        "--service-minutes", "1.6", "--chore-minutes", "6", "--patience", "5.5",
        "--region", "west", "--tier-policy", "small stores",
    )  # fmt: skip

    assert status == 0, err
    assert "hours                   Mon-Fri 07:00-20:00, Sat-Sun 09:00-18:30" in out
    store = _store(sessions, "NY1")
    assert store.timezone == "America/New_York"
    assert (store.opens_at, store.closes_at) == (time(7), time(20))
    assert _store_hours(sessions, "NY1") == {5: (time(9), time(18, 30)), 6: (time(9), time(18, 30))}
    assert (store.service_minutes, store.chore_minutes_per_hour, store.patience_minutes) == (1.6, 6.0, 5.5)
    status, out, _ = cli("store", "show", "NY1", "--format", "json")
    shown = json.loads(out)
    assert (shown["region"], shown["tier_policy"], shown["sat"]) == ("WEST", "Small stores", "09:00-18:30")
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "store.edit")).one()
    assert (entry.actor, entry.subject) == ("director", "store NY1")
    assert entry.details["timezone"] == ["Asia/Shanghai", "America/New_York"]
    assert entry.details["patience_minutes"] == [None, 5.5]

    # Back to the chain's service time; the list shows it as "default".
    assert cli("store", "edit", "NY1", "--service-minutes", "default")[0] == 0
    status, out, _ = cli("store", "list", "--format", "csv")
    listed = {row["code"]: row for row in csv.DictReader(io.StringIO(out))}
    assert listed["NY1"]["service_minutes"] == "" and listed["NY1"]["hours"].startswith("Mon-Fri 07:00-20:00")
    status, out, _ = cli("store", "list")
    assert out.splitlines()[0].split()[:4] == ["code", "name", "region", "timezone"]
    assert "default" in out.splitlines()[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--timezone", "EST5"], "'EST5' is not a known time zone"),
        (["--hours", "7-21"], "--hours '7-21': '7' is not a time of day; write it as HH:MM"),
        (["--hours", "sam=08:00-18:00"], "'sam' is not a weekday"),
        (["--hours", "09:00-09:00"], "opening and closing time are the same"),
        (["--patience", "-1"], "patience: -1.0 must be between 0.5 and 120 minutes"),
        (["--service-minutes", "fast"], "--service-minutes 'fast': give minutes"),
        (["--region", "NORTH"], "no region with code 'NORTH'; the regions are: EAST, WEST"),
        ([], "nothing to change"),
    ],
)
def test_store_edit_refuses_bad_values_and_changes_nothing(cli, sessions, argv, message):
    _chain(sessions)
    before = table_counts(sessions)

    status, _, err = cli("store", "edit", "NY1", *argv)

    assert status == 2
    assert message in err
    assert table_counts(sessions) == before


def test_a_region_supervisor_edits_hours_of_their_stores_only_and_never_the_time_zone(cli, sessions):
    _chain(sessions)

    assert cli("--as", "sup-east", "store", "edit", "NY1", "--hours", "sat=10:00-16:00")[0] == 0
    assert _store_hours(sessions, "NY1") == {5: (time(10), time(16))}

    status, _, err = cli("--as", "sup-east", "store", "edit", "NY1", "--timezone", "America/New_York")
    assert status == 2 and "may not change timezone of store NY1: only head office may" in err
    status, _, err = cli("--as", "sup-east", "store", "edit", "SF1", "--patience", "4")
    assert status == 2 and "store code 'SF1' does not exist or is outside your scope" in err
    assert _store(sessions, "NY1").timezone == "Asia/Shanghai"


# ------------------------------------------------------------------ local times in reports


def test_reports_of_a_new_york_store_show_summer_and_winter_offsets(cli, tmp_path):
    rows = _sales_rows("NY1", SUMMER, 7) + _sales_rows("NY1", WINTER, 7)
    path = write_csv(tmp_path / "ny.csv", HEADERS, rows)
    assert cli("import", "sales", str(path), "--create-stores", "--timezone", "America/New_York")[0] == 0

    for day, offset in ((SUMMER, "-04:00"), (WINTER, "-05:00")):
        status, out, err = cli("report", "sales", "--store", "NY1", "--date", day.isoformat())
        assert status == 0, err
        buckets = json.loads(out)
        assert buckets[0]["start"] == f"{day.isoformat()}T07:00:00{offset}"
        status, out, err = cli("report", "staffing", "--store", "NY1", "--date", day.isoformat())
        assert status == 0, err
        starts = [i["start"] for i in json.loads(out)["intervals"]]
        assert f"{day.isoformat()}T07:00:00{offset}" in starts and all(s.endswith(offset) for s in starts)


def test_the_week_roster_opens_each_day_at_its_weekday_hours(cli, db_url, tmp_path):
    from storemon.services.access import SYSTEM
    from storemon.services.api import Services
    from storemon.services.database import open_database

    path = write_csv(tmp_path / "ny.csv", HEADERS, _sales_rows("NY1", SUMMER, 7))
    assert cli("import", "sales", str(path), "--create-stores", "--timezone", "America/New_York")[0] == 0

    database = open_database(db_url)
    try:
        week = Services(database).schedule.week_roster(SYSTEM, "NY1", SUMMER)
    finally:
        database.close()
    opens = {c.day.weekday(): c.open_first * 15 for c in week.coverage}
    assert opens == {0: 420, 1: 420, 2: 420, 3: 420, 4: 420, 5: 510, 6: 540}
    assert week.hours_on(SUMMER + timedelta(days=5)) == (time(8, 30), time(18))


# ------------------------------------------------------------------ codes are codes


def test_a_numeric_store_code_is_a_code_and_ids_are_written_id_n(cli, sessions):
    with sessions.begin() as session:
        session.add_all([Store(code=f"S{n}", name=f"Store {n}") for n in range(1, 6)])
        session.add(Store(code="5", name="Numbered five"))
    store_five = _store(sessions, "5")
    assert store_five.id != 5 and _store(sessions, "S5").id == 5

    assert json.loads(cli("store", "show", "5", "--format", "json")[1])["name"] == "Numbered five"
    assert json.loads(cli("store", "show", "id:5", "--format", "json")[1])["code"] == "S5"
    assert json.loads(cli("store", "show", " s1 ", "--format", "json")[1])["code"] == "S1"

    status, _, err = cli("store", "show", "S9")
    assert status == 2
    assert (
        "store code 'S9' does not exist or is outside your scope; did you mean" in err
        and "'S1' (Store 1)" in err
    )
    status, _, err = cli("store", "show", "id:99")
    assert status == 2 and "store 'id:99' does not exist" in err


def test_a_code_that_exists_twice_once_normalised_is_an_error_that_says_so(cli, sessions):
    with sessions.begin() as session:
        session.add_all([Store(code="ab1", name="Lower"), Store(code="AB1", name="Upper")])

    status, _, err = cli("store", "show", "Ab1")

    assert status == 2
    assert "store code 'Ab1' is ambiguous" in err and "'ab1'" in err and "'AB1'" in err and "id:" in err


def test_import_with_a_numeric_store_code_finds_that_store(cli, sessions, tmp_path):
    with sessions.begin() as session:
        session.add_all([Store(code=f"S{n}", name=f"Store {n}") for n in range(1, 6)])
        session.add(Store(code="5", name="Numbered five"))
    rows = [row[1:] for row in _sales_rows("", SUMMER, 1)]
    path = write_csv(tmp_path / "one.csv", HEADERS[1:], rows)

    status, _, err = cli("import", "sales", str(path), "--store", "5")

    assert status == 0, err
    with sessions() as session:
        counted = {
            code
            for (code,) in session.execute(
                select(Store.code).join(SalesBucket, SalesBucket.store_id == Store.id).distinct()
            )
        }
    assert counted == {"5"}


def test_hours_specs_read_as_a_manager_writes_them():
    assert parse_hours_spec("07:00-21:00") == {None: (time(7), time(21))}
    assert parse_hours_spec("fri-mon=10:00-24:00") == {d: (time(10), time(0)) for d in (4, 5, 6, 0)}
    assert parse_hours_spec("Sat=8:30-18:00") == {5: (time(8, 30), time(18))}


def test_the_import_wizard_door_refuses_an_unknown_zone_for_new_stores(sessions, tmp_path):
    from storemon.importers import import_sales
    from storemon.services.opening_hours import BadHours

    path = write_csv(tmp_path / "ny.csv", HEADERS, _sales_rows("NY1", SUMMER, 1))
    before = table_counts(sessions)
    with pytest.raises(BadHours, match="time zone of new stores: 'Nowhere/City' is not a known time zone"):
        import_sales(sessions, path, create_stores=True, timezone="Nowhere/City")
    assert table_counts(sessions) == before


@pytest.mark.parametrize(
    ("printed", "zone"),
    [
        ("Eastern Time (US & Canada)", "America/New_York"),  # Square, Shopify (Rails names)
        ("(GMT+08:00) Beijing", "Asia/Shanghai"),
        ("China Standard Time", "Asia/Shanghai"),  # Windows tills
        ("Europe/London", "Europe/London"),
    ],
)
def test_time_zones_as_tills_print_them_are_understood(printed, zone):
    from storemon.services.opening_hours import zone_named

    assert zone_named(printed).key == zone
