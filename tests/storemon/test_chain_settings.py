"""Chain-wide settings as head office edits them: tier policies, escalation, surge, authority, support."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from alerts.codec import dump_policy, load_policy
from alerts.escalation import DEFAULT_POLICY, EscalationLevel, EscalationPolicy
from staffing.day import StaffingTargets
from staffing.policy import SOURCE_RULE, TierBand
from staffing.surge import SurgeCalendar, SurgePeriod
from storemon.config import (
    ConfigError,
    app_paths,
    check_connection,
    database_location,
    load_settings,
    resolve_database_url,
    save_database_url,
)
from storemon.db.models import AuditEntry, Setting
from storemon.services import (
    escalation_settings,
    incident_rules,
    setting_values,
    support_resources,
    surge_calendar,
    tier_policies,
)
from storemon.services.access import SYSTEM, AccessDenied, actor_for
from storemon.services.stores import store_summaries


def _source_policy_id(session) -> int:
    return next(
        p.id for p in tier_policies.tier_policy_summaries(session, SYSTEM) if p.name == SOURCE_RULE.name
    )


def test_source_rule_gap_is_named_and_its_stores_listed(demo_sessions):
    with demo_sessions() as session:
        policy_id = _source_policy_id(session)
        check = tier_policies.check_tier_policy(session, SYSTEM, policy_id, SOURCE_RULE.bands)
        in_gap_now = {s.code for s in store_summaries(session, SYSTEM) if s.policy_status == "gap"}
        wider = tier_policies.check_tier_policy(
            session, SYSTEM, policy_id, [TierBand(None, 5000, 1), TierBand(9000, None, 2)]
        )
    assert [(i.kind, i.low, i.high) for i in check.issues] == [("gap", 5000, 6000)]
    assert "5,000-6,000 is covered by no band" in check.issues[0].message
    assert {s.code for s in check.stores_in_gaps} == in_gap_now
    assert len(wider.stores_in_gaps) > len(check.stores_in_gaps)
    assert all(5000 <= s.avg_daily_revenue < 9000 for s in wider.stores_in_gaps)


def test_tier_policy_with_a_gap_is_saved_only_when_confirmed_and_round_trips(demo_sessions):
    bands = (TierBand(None, 5000, 1), TierBand(6000, None, 2, None))
    draft = tier_policies.PolicyDraft(None, "Kept gap", "we know", bands)
    with demo_sessions() as session:
        with pytest.raises(tier_policies.UnconfirmedPolicyIssues) as refused:
            tier_policies.save_tier_policy(session, SYSTEM, draft)
        assert "5,000-6,000" in str(refused.value)
        policy_id = tier_policies.save_tier_policy(session, SYSTEM, draft, accept_issues=True)
        session.commit()
    with demo_sessions() as session:
        saved = next(p for p in tier_policies.tier_policy_summaries(session, SYSTEM) if p.id == policy_id)
        assert saved.policy.bands == bands and saved.description == "we know"
        closed = (TierBand(None, 5000, 1), TierBand(5000, None, 2, "morning"))
        tier_policies.save_tier_policy(
            session, SYSTEM, tier_policies.PolicyDraft(policy_id, "Closed now", "", closed)
        )
        session.commit()
    with demo_sessions() as session:
        again = next(p for p in tier_policies.tier_policy_summaries(session, SYSTEM) if p.id == policy_id)
        assert again.name == "Closed now" and again.policy.bands == closed
        with pytest.raises(setting_values.ChainSettingsError, match="already called"):
            tier_policies.save_tier_policy(
                session, SYSTEM, replace(draft, name=SOURCE_RULE.name), accept_issues=True
            )
        with pytest.raises(setting_values.ChainSettingsError, match="empty"):
            tier_policies.save_tier_policy(
                session, SYSTEM, replace(draft, bands=(TierBand(None, None, 1), TierBand(7000, 6000, 2)))
            )


def test_assigning_and_deleting_policies(demo_sessions):
    with demo_sessions() as session:
        policy_id = tier_policies.save_tier_policy(
            session, SYSTEM, tier_policies.PolicyDraft(None, "Everyone two", "", (TierBand(None, None, 2),))
        )
        stores = tier_policies.policy_stores(session, SYSTEM, policy_id)
        assert all(s.staff_under_policy == 2 for s in stores)
        assert tier_policies.assign_tier_policy(session, SYSTEM, policy_id, [stores[0].id, stores[1].id]) == 2
        session.commit()
        counts = {p.id: p.store_count for p in tier_policies.tier_policy_summaries(session, SYSTEM)}
        assert counts[policy_id] == 2
        with pytest.raises(setting_values.ChainSettingsError, match="used by 2 store"):
            tier_policies.delete_tier_policy(session, SYSTEM, policy_id)
        unused = tier_policies.save_tier_policy(
            session, SYSTEM, tier_policies.PolicyDraft(None, "Unused", "", (TierBand(None, None, 1),))
        )
        tier_policies.delete_tier_policy(session, SYSTEM, unused)
        session.commit()
        assert unused not in {p.id for p in tier_policies.tier_policy_summaries(session, SYSTEM)}


def test_store_manager_cannot_change_any_chain_setting_and_nothing_is_written(demo_sessions):
    with demo_sessions() as session:
        manager = actor_for(session, "mgr-sh001")
        before = session.scalar(select(func.count()).select_from(Setting))
        attempts = [
            lambda: tier_policies.save_tier_policy(
                session, manager, tier_policies.PolicyDraft(None, "x", "", (TierBand(None, None, 1),))
            ),
            lambda: escalation_settings.save_escalation_policy(session, manager, DEFAULT_POLICY),
            lambda: surge_calendar.save_surge_calendar(session, manager, SurgeCalendar.default()),
            lambda: tier_policies.save_thresholds(session, manager, StaffingTargets(), 35, 65),
            lambda: incident_rules.save_authority_limits(
                session, manager, incident_rules.DEFAULT_AUTHORITY_LIMITS
            ),
            lambda: incident_rules.save_playbooks(session, manager, incident_rules.default_playbooks()),
            lambda: incident_rules.save_incident_rules(
                session, manager, incident_rules.DEFAULT_AUTHORITY_LIMITS, incident_rules.default_playbooks()
            ),
            lambda: support_resources.save_support_resources(
                session, manager, support_resources.SupportResources("400-820-1234")
            ),
            lambda: tier_policies.assign_tier_policy(session, manager, 1, []),
        ]
        for attempt in attempts:
            with pytest.raises(AccessDenied, match="head-office"):
                attempt()
        session.flush()
        assert session.scalar(select(func.count()).select_from(Setting)) == before
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_escalation_policy_round_trips_as_its_json_form_and_names_unknown_people(demo_sessions):
    edited = replace(
        DEFAULT_POLICY,
        levels=(
            EscalationLevel(1, "Counter", ("staff", "user:mgr-sh001"), timedelta(minutes=3)),
            *DEFAULT_POLICY.levels[1:],
        ),
        max_repeats=1,
    )
    with demo_sessions() as session:
        assert escalation_settings.load_escalation_policy(session) == DEFAULT_POLICY
        escalation_settings.save_escalation_policy(session, SYSTEM, edited)
        session.commit()
        assert session.get(Setting, setting_values.ESCALATION_POLICY).value == dump_policy(edited)
        assert escalation_settings.load_escalation_policy(session) == edited
        ghost = EscalationLevel(1, "Counter", ("user:nobody",), timedelta(minutes=3))
        with pytest.raises(setting_values.ChainSettingsError, match="nobody"):
            escalation_settings.save_escalation_policy(
                session, SYSTEM, replace(edited, levels=(ghost, *edited.levels[1:]))
            )
    assert isinstance(load_policy(dump_policy(edited)), EscalationPolicy)


def test_surge_calendar_defaults_to_the_315_season_and_round_trips(demo_sessions):
    promo = SurgePeriod(
        "Spring promotion", date(2026, 4, 1), date(2026, 4, 7), 1.3, 1.1, stores=frozenset({"SH001"})
    )
    with demo_sessions() as session:
        assert surge_calendar.load_surge_calendar(session) == SurgeCalendar.default()
        surge_calendar.save_surge_calendar(session, SYSTEM, SurgeCalendar.default().with_period(promo))
        session.commit()
        stored = session.get(Setting, setting_values.SURGE_CALENDAR).value
        assert stored["periods"][1] == {
            "label": "Spring promotion",
            "start": "2026-04-01",
            "end": "2026-04-07",
            "demand_factor": 1.3,
            "alert_sensitivity": 1.1,
            "yearly": False,
            "stores": ["SH001"],
        }
        assert surge_calendar.load_surge_calendar(session).periods[1] == promo
        with pytest.raises(setting_values.ChainSettingsError, match="NOPE"):
            surge_calendar.save_surge_calendar(
                session, SYSTEM, SurgeCalendar((replace(promo, stores=frozenset({"NOPE"})),))
            )


def test_authority_limits_are_decimal_strings_and_must_not_shrink_up_the_chain(demo_sessions):
    with demo_sessions() as session:
        limits = dict(incident_rules.DEFAULT_AUTHORITY_LIMITS.limits, staff="150.50")
        incident_rules.save_authority_limits(session, SYSTEM, incident_rules.AuthorityLimits(limits))
        session.commit()
        assert session.get(Setting, setting_values.AUTHORITY_LIMITS).value["limits"]["staff"] == "150.50"
        assert incident_rules.load_authority_limits(session).limits["staff"] == Decimal("150.50")
    with pytest.raises(setting_values.ChainSettingsError, match="shrink"):
        incident_rules.AuthorityLimits(dict(limits, shift_lead="100"))
    with pytest.raises(setting_values.ChainSettingsError, match="two decimals"):
        incident_rules.AuthorityLimits(dict(limits, staff="1.005"))
    assert incident_rules.DEFAULT_AUTHORITY_LIMITS.lowest_role_for(Decimal("300")) == "store_manager"


def test_playbooks_need_three_responses_and_money_someone_may_grant(demo_sessions):
    books = list(incident_rules.default_playbooks("zh_CN"))
    assert len(books) == 5 and all(len(b.responses) >= 3 for b in books)
    short = replace(books[0], responses=books[0].responses[:2])
    greedy = replace(
        books[1], responses=(*books[1].responses, incident_rules.PlaybookResponse("A car", Decimal("99999")))
    )
    custom = incident_rules.Playbook(
        incident_rules.incident_type_key("Allergy question", [b.incident_type for b in books]),
        "Allergy question",
        tuple(
            incident_rules.PlaybookResponse(t)
            for t in ("Show the allergen card", "Offer another drink", "Call the lead")
        ),
    )
    with demo_sessions() as session:
        with pytest.raises(setting_values.ChainSettingsError, match="at least 3"):
            incident_rules.save_playbooks(session, SYSTEM, [short, *books[1:]])
        with pytest.raises(setting_values.ChainSettingsError, match="executive"):
            incident_rules.save_playbooks(session, SYSTEM, [books[0], greedy, *books[2:]])
        with pytest.raises(setting_values.ChainSettingsError, match="built-in"):
            incident_rules.save_playbooks(session, SYSTEM, books[1:])
        incident_rules.save_playbooks(session, SYSTEM, [*books, custom])
        session.commit()
        assert custom.incident_type == "allergy_question"
        assert incident_rules.load_playbooks(session, "en")[-1] == custom
        assert incident_rules.load_playbooks(session, "en")[0].label == "出品慢", (
            "saved text wins over shipped text"
        )
        lower = incident_rules.AuthorityLimits(
            dict(incident_rules.DEFAULT_AUTHORITY_LIMITS.limits, executive="5000")
        )
        pricey = replace(
            books[3],
            responses=(*books[3].responses, incident_rules.PlaybookResponse("Big gesture", Decimal("8000"))),
        )
        with_pricey = [*books[:3], pricey, *books[4:]]
        with pytest.raises(setting_values.ChainSettingsError, match="above even the executive"):
            incident_rules.save_incident_rules(session, SYSTEM, lower, with_pricey)
        incident_rules.save_incident_rules(
            session, SYSTEM, incident_rules.DEFAULT_AUTHORITY_LIMITS, with_pricey
        )
        with pytest.raises(setting_values.ChainSettingsError, match="Big gesture"):
            incident_rules.save_authority_limits(session, SYSTEM, lower)
        incident_rules.save_incident_rules(session, SYSTEM, lower, books)
        session.commit()
        assert incident_rules.load_authority_limits(session).limits["executive"] == Decimal("5000.00")


def test_support_resources_check_phone_numbers(demo_sessions):
    good = support_resources.SupportResources(
        "400-820-1234",
        "24/7",
        (support_resources.AidContact("王芳", "+86 138 0000 1234", "evenings"),),
        "Every second Tuesday, 15:00, book with HR",
        "",
    )
    with demo_sessions() as session:
        support_resources.save_support_resources(session, SYSTEM, good)
        session.commit()
        assert support_resources.load_support_resources(session) == good
        assert session.get(Setting, setting_values.SUPPORT_RESOURCES).value["hotline"] == {
            "number": "400-820-1234",
            "hours": "24/7",
        }
        with pytest.raises(setting_values.ChainSettingsError, match="not a phone number"):
            support_resources.save_support_resources(
                session, SYSTEM, replace(good, hotline_number="call Lisa")
            )
        with pytest.raises(setting_values.ChainSettingsError, match="phone"):
            support_resources.save_support_resources(
                session, SYSTEM, replace(good, mutual_aid=(support_resources.AidContact("李", ""),))
            )


def test_thresholds_save_together_and_keep_other_pressure_weights(demo_sessions):
    targets = StaffingTargets(service_minutes=2.5, target_wait_minutes=4)
    with demo_sessions() as session:
        tier_policies.save_thresholds(session, SYSTEM, targets, 30, 70)
        session.commit()
        assert tier_policies.load_thresholds(session) == tier_policies.Thresholds(targets, 30, 70)
        with pytest.raises(setting_values.ChainSettingsError, match="amber_at <= red_at"):
            tier_policies.save_thresholds(session, SYSTEM, targets, 80, 70)


def test_connection_check_reports_sqlite_and_refuses_what_it_cannot_open(tmp_path, sqlite_url):
    report = check_connection(sqlite_url)
    assert report.backend == "SQLite" and report.schema_revision
    new = check_connection(str(tmp_path / "fresh.sqlite3"))
    assert "does not exist yet" in new.note and not (tmp_path / "fresh.sqlite3").exists()
    (tmp_path / "notes.sqlite3").write_text("hello")
    with pytest.raises(ConfigError, match="cannot be opened"):
        check_connection(str(tmp_path / "notes.sqlite3"))
    with pytest.raises(ConfigError, match="127.0.0.1:9"):
        check_connection("postgresql://storemon:secret@127.0.0.1:9/storemon")
    with pytest.raises(ConfigError, match="only SQLite and PostgreSQL"):
        check_connection("mysql://x@y/z")


@pytest.mark.postgres
def test_connection_check_reports_the_postgres_server_version(pg_server):
    report = check_connection(pg_server.url("storemon_template"))
    assert report.backend == "PostgreSQL" and report.server_version[:2].isdigit() and report.schema_revision


def test_saved_database_url_is_private_and_wins_over_the_default(tmp_path):
    paths = app_paths()
    url = 'postgresql://storemon:s3cr"et@db.example:5432/chain'
    written = save_database_url(url, paths)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    resolved = make_url(resolve_database_url(None, paths))
    assert (resolved.drivername, resolved.password, resolved.host) == (
        "postgresql+psycopg",
        's3cr"et',
        "db.example",
    )
    assert (
        database_location("x", paths).configured == "postgresql+psycopg://storemon:***@db.example:5432/chain"
    )
    save_database_url(str(tmp_path / "shop.sqlite3"), paths)
    assert load_settings(written).database_url == f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    save_database_url(None, paths)
    assert resolve_database_url(None, paths) == f"sqlite:///{paths.default_database}"
