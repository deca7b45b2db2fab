"""Use cases of the Alerts screen, the Today buttons and the tray: alerts and one-click actions."""

from __future__ import annotations

from datetime import datetime

from alerts.escalation import Acknowledge, Comment, Reassign, Resolve, Snooze
from storemon.services import actions
from storemon.services import alert_service
from storemon.services.access import Actor
from storemon.services.alert_service import AlertView, TimelineEntry
from storemon.services.api_base import ApiBase


class AlertsApi(ApiBase):
    """Alerts in the actor's scope and what people do with them; every change commits at once."""

    def alerts(
        self,
        actor: Actor,
        status: str | None = "active",
        store_id: int | None = None,
        rule: str | None = None,
    ) -> list[AlertView]:
        with self.session() as session:
            return alert_service.list_alerts(session, actor, status=status, store_id=store_id, rule=rule)

    def alert_detail(self, actor: Actor, alert_id: int) -> tuple[AlertView, list[TimelineEntry]]:
        with self.session() as session:
            return alert_service.alert_detail(session, actor, alert_id)

    def _event(self, actor: Actor, alert_id: int, event, now: datetime) -> None:
        with self.database.sessions.begin() as session:
            alert_service.act(session, actor, alert_id, event, now)

    def acknowledge(self, actor: Actor, alert_id: int, now: datetime) -> None:
        self._event(actor, alert_id, Acknowledge(by=actor.username), now)

    def resolve(self, actor: Actor, alert_id: int, now: datetime, note: str = "") -> None:
        self._event(actor, alert_id, Resolve(by=actor.username, note=note), now)

    def comment(self, actor: Actor, alert_id: int, text: str, now: datetime) -> None:
        self._event(actor, alert_id, Comment(by=actor.username, text=text), now)

    def reassign(self, actor: Actor, alert_id: int, to_username: str, now: datetime) -> None:
        self._event(actor, alert_id, Reassign(to=f"user:{to_username}", by=actor.username), now)

    def snooze(self, actor: Actor, alert_id: int, until: datetime, now: datetime) -> None:
        self._event(actor, alert_id, Snooze(by=actor.username, until=until), now)

    def call_backup(self, actor: Actor, store_id: int, now: datetime, note: str = "") -> int:
        with self.database.sessions.begin() as session:
            return actions.call_backup(session, actor, store_id, now, note)

    def call_manager(self, actor: Actor, store_id: int, now: datetime, note: str = "") -> int:
        with self.database.sessions.begin() as session:
            return actions.call_manager(session, actor, store_id, now, note)

    def accept_cover(self, actor: Actor, alert_id: int, now: datetime) -> None:
        with self.database.sessions.begin() as session:
            actions.accept_cover(session, actor, alert_id, now)

    def relief_request(
        self, actor: Actor, store_id: int, reason: str, now: datetime, urgency: str = "normal"
    ) -> int:
        with self.database.sessions.begin() as session:
            return actions.relief_request(session, actor, store_id, reason, now, urgency)

    def unread_count(self, actor: Actor) -> int:
        with self.session() as session:
            return alert_service.unread_count(session, actor)

    def mark_read(self, actor: Actor, now: datetime) -> None:
        with self.database.sessions.begin() as session:
            alert_service.mark_read(session, actor, now)
