"""The call buttons' tooltips: who each call would page first, who next, and who is offered cover.

Loaded off the GUI thread whenever the buttons follow a store (``services.calls.reach``, worked
out as the calls themselves do it), so the manager knows before pressing who will be woken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from storemon.services.call_recipients import CallReach, PagedLevel
from ui.format import number
from ui.i18n import fill, translate
from ui.models.alerts_table import LEVEL_NAMES

if TYPE_CHECKING:
    from ui.widgets.call_buttons import CallButtons

SHOWN_NAMES = 5
"""Names listed per line; the rest are counted ("and 4 more")."""


def _names(names: tuple[str, ...]) -> str:
    if not names:
        return translate("CallTips", "nobody (no active account at this level for this store)")
    text = names[0]
    for name in names[1:SHOWN_NAMES]:
        text = fill(translate("CallTips", "%1, %2"), text, name)
    more = len(names) - SHOWN_NAMES
    return fill(translate("CallTips", "%1 and %2 more"), text, str(more)) if more > 0 else text


def _level_name(level: PagedLevel) -> str:
    source = LEVEL_NAMES.get(level.name)
    return QCoreApplication.translate("AlertTexts", source) if source else level.name


def explain(kind: str, reach: CallReach) -> str:
    """The tooltip of the ``kind`` button ("backup" or "manager")."""
    lines = [
        translate(
            "CallTips",
            "Asks off-shift staff and shift leads of this store and its region to come in now; the "
            "first to accept is assigned.",
        )
        if kind == "backup"
        else translate("CallTips", "Asks a manager to step in at the store now.")
    ]
    if reach.first is not None:
        lines.append(
            fill(
                translate("CallTips", "Paged first — level %1, %2: %3."),
                str(reach.first.number),
                _level_name(reach.first),
                _names(reach.first.people),
            )
        )
    if reach.then is not None and reach.first is not None:
        lines.append(
            fill(
                translate("CallTips", "If nobody acknowledges within %1 min — level %2, %3: %4."),
                number(reach.first.ack_minutes),
                str(reach.then.number),
                _level_name(reach.then),
                _names(reach.then.people),
            )
        )
    if kind == "backup":
        lines.append(fill(translate("CallTips", "Cover offered to: %1."), _names(reach.cover_offered_to)))
    return "\n".join(lines)


def explain_reach(buttons: CallButtons) -> None:
    """Set both buttons' tooltips for the store they follow (cleared while none)."""
    store_id = buttons.store_id
    buttons.backup_button.setToolTip("")
    buttons.manager_button.setToolTip("")
    if store_id is None:
        return
    ctx = buttons.ctx
    actor, now = ctx.actor, ctx.clock()

    def show(reach: dict[str, CallReach]) -> None:
        if buttons.store_id != store_id:
            return
        buttons.backup_button.setToolTip(explain("backup", reach["backup"]))
        buttons.manager_button.setToolTip(explain("manager", reach["manager"]))

    ctx.tasks.op(
        buttons,
        lambda _control: ctx.services.calls.reach(actor, store_id, now),
        show,
        key="reach",
        on_user_error=lambda _exc: None,  # a store out of scope has no buttons to explain
    )
