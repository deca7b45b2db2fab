"""The shared text helpers: placeholders filled once, clock times as staff read them, locale money."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from PySide6.QtCore import QLocale

from ui.format import clock, clock_hours, clock_minutes, duration, money, number
from ui.i18n import fill


@pytest.fixture
def english():
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(previous)


@pytest.mark.parametrize(
    ("template", "args", "expected"),
    [
        ("Updated %1", ("06:45",), "Updated 06:45"),
        ("%2 before %1", ("a", "b"), "b before a"),
        ("%1 of %2", ("50%2", 7), "50%2 of 7"),  # an argument is never filled again
        ("%1%", (85,), "85%"),
        ("Modelling store %v of %m", (), "Modelling store %v of %m"),
        ("%1 and %3", ("x",), "x and %3"),
    ],
)
def test_fill_replaces_each_placeholder_once(template, args, expected):
    assert fill(template, *args) == expected


def test_clock_times_are_24_hour_and_the_end_of_the_day_is_24_00():
    assert clock(datetime(2026, 3, 2, 6, 5)) == "06:05"
    assert clock(time(23, 59)) == "23:59"
    assert clock_minutes(24 * 60) == "24:00"
    assert clock_minutes(25 * 60) == "01:00"
    assert clock_hours(13.75) == "13:45"


def test_numbers_money_and_durations_follow_the_locale(qapp, english):
    assert number(12480) == "12,480"
    assert number(3.5, 1) == "3.5"
    assert money(1250) == "¥1,250"
    assert money(None) == "¥0"
    assert duration(420) == "7 h"
    assert duration(45) == "45 min"
    assert duration(450) == "7 h 30 min"
