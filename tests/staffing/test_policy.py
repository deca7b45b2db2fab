"""Tier policies: the source rule's gap is named, never silently filled."""

from __future__ import annotations

import math

import numpy as np
import pytest

from staffing.policy import GAP, SOURCE_RULE, TierBand, TierPolicy, gap_for, staff_for, validate


def test_source_rule_reports_the_5000_to_6000_gap():
    issues = validate(SOURCE_RULE)
    assert [(i.kind, i.low, i.high) for i in issues] == [
        (
            "gap",
            5000.0,
            6000.0,
        )
    ]
    assert "5,000-6,000" in issues[0].message and "no band" in issues[0].message


def test_staff_for_is_vectorised_and_marks_the_gap():
    revenue = np.array([[1000, 4999.99], [5000, 5999], [6000, 15000]])
    assert staff_for(SOURCE_RULE, revenue).tolist() == [[1, 1], [GAP, GAP], [2, 2]]
    assert gap_for(SOURCE_RULE, 5500).message == validate(SOURCE_RULE)[0].message
    assert gap_for(SOURCE_RULE, 7000) is None


def test_closed_policy_has_no_issues_and_overlaps_are_reported_and_resolved_safely():
    closed = TierPolicy.of("closed", [TierBand(None, 5000, 1), TierBand(5000, None, 2)])
    assert validate(closed) == []
    overlapping = TierPolicy.of("overlap", [TierBand(0, 6000, 1), TierBand(5000, None, 2)])
    [issue] = validate(overlapping)
    assert (issue.kind, issue.low, issue.high) == ("overlap", 5000.0, 6000.0)
    assert int(staff_for(overlapping, 5500)) == 2, "the larger staffing wins where bands overlap"


def test_missing_top_band_and_invalid_bands_are_reported():
    issues = validate(
        TierPolicy.of("short", [TierBand(0, 8000, 1), TierBand(9000, 7000, 2), TierBand(8000, 12000, 0)])
    )
    kinds = sorted(i.kind for i in issues)
    assert kinds.count("invalid") == 2
    top = [i for i in issues if i.kind == "gap"]
    assert top[-1].low == 12000 and math.isinf(top[-1].high)


def test_dayparts_are_validated_separately():
    policy = TierPolicy.of(
        "dayparts",
        [
            TierBand(None, None, 1),
            TierBand(None, 5000, 1, "morning"),
            TierBand(6000, None, 2, "morning"),
        ],
    )
    assert staff_for(policy, 5500, "morning") == 1, "the all-day band still covers the morning"
    only_morning = TierPolicy.of(
        "m", [TierBand(None, 5000, 1, "morning"), TierBand(6000, None, 2, "morning")]
    )
    [issue] = validate(only_morning)
    assert issue.daypart == "morning" and "morning daypart" in issue.message


@pytest.mark.parametrize("revenue", [0, 4999, 6000, 10**7])
def test_source_rule_outside_the_gap_always_assigns(revenue):
    assert staff_for(SOURCE_RULE, revenue) in (1, 2)
