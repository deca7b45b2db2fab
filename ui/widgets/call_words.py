"""How a call for help stands, in words: one sentence for its live state and one for its cover offers.

Today's call buttons and its calls panel say the same thing the same way, with people's names:
"Li Na is coming, expected 11:50", "Covered by Li Na", "Acknowledged by Wang Min at 11:32",
"Asked to cover: Li Na (accepted), Zhu Tao (told someone else covers)".
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storemon.services.call_state import Arrival, CallState
from ui.format import clock
from ui.i18n import fill, translate
from ui.models.alerts_table import LEVEL_NAMES, name_of


def arrival_text(arrival: Arrival, zone: ZoneInfo) -> str:
    """ "Li Na is coming, expected 11:50" (", borrowed from SZ002" for another store's person)."""
    at = clock(arrival.expected_at.astimezone(zone))
    if arrival.borrowed_from:
        return fill(
            translate("CallWords", "%1 is coming, expected %2 (from %3)"),
            arrival.name,
            at,
            arrival.borrowed_from,
        )
    return fill(translate("CallWords", "%1 is coming, expected %2"), arrival.name, at)


def live_text(state: CallState, zone: ZoneInfo) -> str:
    """The one sentence that says where the call stands now."""
    alert = state.alert
    if alert.status == "resolved":
        return translate("CallWords", "Resolved")
    if state.coming:
        return "; ".join(arrival_text(a, zone) for a in state.coming)
    if state.covered_by:
        return fill(translate("CallWords", "Covered by %1"), state.covered_by)
    if state.acknowledged_by:
        if state.acknowledged_at is not None:
            at = clock(state.acknowledged_at.astimezone(zone))
            return fill(translate("CallWords", "Acknowledged by %1 at %2"), state.acknowledged_by, at)
        return fill(translate("CallWords", "Acknowledged by %1"), state.acknowledged_by)
    waiting = state.offers_open
    if waiting:
        if waiting == 1:
            return translate("CallWords", "Asked 1 person to cover: waiting for an answer")
        return fill(translate("CallWords", "Asked %1 people to cover: waiting for an answer"), str(waiting))
    return fill(
        translate("CallWords", "Sent to level %1 (%2): waiting"),
        str(alert.level),
        name_of(LEVEL_NAMES, alert.level_name),
    )


def offers_text(state: CallState) -> str:
    """Who was asked to cover and what each answered ("" when nobody was asked)."""
    if not state.offers:
        return ""
    answers = {
        "offered": "",
        "accepted": translate("CallWords", "accepted"),
        "declined": translate("CallWords", "declined"),
        "withdrawn": translate("CallWords", "no longer needed"),
    }
    parts = []
    for offer in state.offers:
        who = (
            offer.name
            if not offer.store_code or offer.store_code == state.alert.store_code
            else (fill(translate("CallWords", "%1 of %2"), offer.name, offer.store_code))
        )
        answer = answers.get(offer.status, offer.status)
        parts.append(fill(translate("CallWords", "%1 (%2)"), who, answer) if answer else who)
    return fill(translate("CallWords", "Asked to cover: %1"), ", ".join(parts))
