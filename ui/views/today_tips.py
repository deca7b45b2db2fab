"""What each Today tile means and how it is worked out, as its tooltip.

Kept apart from ``ui.views.today`` so the explanations can grow without touching the screen's
layout code; the yardsticks quoted (wait target, busy utilisation, pressure levels) are the ones
the tile was coloured by, from the same ``TodayPicture``.
"""

from __future__ import annotations

from storemon.services.today import TodayPicture
from ui.format import number
from ui.i18n import fill, translate


def tile_tips(picture: TodayPicture | None) -> dict[str, str]:
    """Tooltip per tile key (solo, utilisation, wait, pressure, demand, labour); general while nothing loaded."""
    if picture is None:
        target, busy, amber, red, solo_full = "—", "—", "—", "—", "—"
    else:
        target = number(picture.target_wait_minutes, 1)
        busy = number(picture.busy_utilisation * 100)
        amber, red = number(picture.amber_at), number(picture.red_at)
        solo_full = number(picture.solo_full_minutes)
    return {
        "solo": fill(
            translate(
                "TodayTips",
                "Minutes of the day with exactly one person on the floor, from the roster.\n"
                "Alone, nobody can take a break, handle a complaint or fetch stock without the "
                "counter standing empty.\nGreen: never alone; amber: some solo time; red: %1 min or more.",
            ),
            solo_full,
        ),
        "utilisation": fill(
            translate(
                "TodayTips",
                "The busiest quarter hour: expected orders × service time ÷ the serving time of the "
                "people on shift (minus chores).\nFrom %1% queues build up (amber); at 100% or more "
                "they grow without end (red).",
            ),
            busy,
        ),
        "wait": fill(
            translate(
                "TodayTips",
                "How long the day's customers wait on average before being served, weighted by "
                "orders; from the queue model, which carries a backlog from one quarter hour into "
                "the next.\nGreen at or under the target of %1 min, amber up to twice it, red above.",
            ),
            target,
        ),
        "pressure": fill(
            translate(
                "TodayTips",
                "The highest pressure index (0–100) of anyone rostered today: points for time alone, "
                "long waits, load, busy time, rushes without a break, incidents and check-ins.\nAmber from %1, red from %2. Select "
                "a person below to see their points; Help > How pressure is computed explains them.",
            ),
            amber,
            red,
        ),
        "demand": translate(
            "TodayTips",
            "Where the expected orders come from: the recorded sales of a past day, a forecast "
            "from the store's own sales history, or, for a new store, the pattern of similar "
            "stores scaled by its first days.",
        ),
        "labour": translate(
            "TodayTips",
            "The wages of everyone rostered today: each shift's paid hours × the person's own "
            "hourly wage, or their role's (Policies > Wages), rounded to the fen.\nThe share is the "
            "wages ÷ the day's sales; on the current day both count only up to now.",
        ),
    }
