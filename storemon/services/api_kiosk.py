"""Use cases of the kiosk at the counter (PIN sign-in, incidents, promises, check-ins, support), and the
people helpers of the Alerts screen (who may take an alert over, open cover offers, display names).

Method names start with ``kiosk_`` where another mixin has a similar use case for the office
screens (``PoliciesApi.playbooks`` edits what ``kiosk_playbooks`` reads).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from storemon.services import actions
from storemon.services import alert_people as people_service
from storemon.services import kiosk as kiosk_service
from storemon.services.access import Actor
from storemon.services.alert_people import CoverOfferView, NoticeView, PersonRef
from storemon.services.api_base import ApiBase
from storemon.services.chain_settings import Playbook
from storemon.services.kiosk import (
    CheckInReceipt,
    IncidentReceipt,
    KioskPerson,
    KioskProfile,
    KioskTerminal,
    OwnCheckIn,
    PromiseView,
    ReliefStatus,
    SignIn,
    SupportInfo,
)
from storemon.services.pins import PinResult


class KioskApi(ApiBase):
    """The kiosk's use cases for staff at the counter; every change commits at once."""

    # -- terminal and sign-in ---------------------------------------------------------------------
    def kiosk_terminal(self, actor: Actor, store: int | str) -> KioskTerminal:
        """The kiosk of ``store`` (id or code), started by ``actor``; it acts as nobody until sign-in."""
        with self.session() as session:
            return kiosk_service.terminal(session, actor, store)

    def kiosk_people(self, actor: Actor, store_id: int, now: datetime) -> list[KioskPerson]:
        """Names for the sign-in picker, with who has a PIN and who is locked out."""
        with self.session() as session:
            return kiosk_service.people(session, actor, store_id, now)

    def kiosk_sign_in(self, actor: Actor, store_id: int, staff_id: int, pin: str, now: datetime) -> SignIn:
        """Check a PIN; a wrong one counts towards the lockout (committed even though sign-in fails)."""
        with self.database.sessions.begin() as session:
            return kiosk_service.sign_in(session, actor, store_id, staff_id, pin, now)

    def set_staff_pin(self, actor: Actor, staff_id: int, pin: str, now: datetime) -> None:
        """Give a staff member a new 4-6 digit PIN (store manager and above; anyone for their own)."""
        with self.database.sessions.begin() as session:
            kiosk_service.set_staff_pin(session, actor, staff_id, pin, now)

    def kiosk_profile(self, actor: Actor) -> KioskProfile:
        with self.session() as session:
            return kiosk_service.profile(session, actor)

    # -- incidents -------------------------------------------------------------------------------
    def kiosk_playbooks(self, actor: Actor, language: str = "en") -> tuple[Playbook, ...]:
        with self.session() as session:
            return kiosk_service.playbooks(session, actor, language)

    def kiosk_approvers(self, actor: Actor, amount: Decimal, now: datetime) -> list[KioskPerson]:
        """Colleagues at the store who may approve ``amount`` here with their PIN."""
        with self.session() as session:
            return kiosk_service.approvers(session, actor, amount, now)

    def kiosk_check_approver(
        self, actor: Actor, approver_staff_id: int, pin: str, amount: Decimal, now: datetime
    ) -> tuple[PinResult, str | None]:
        """A colleague's PIN confirms the amount; returns a one-time approval token when it worked."""
        with self.database.sessions.begin() as session:
            return kiosk_service.check_approver(session, actor, approver_staff_id, pin, amount, now)

    def kiosk_report_incident(
        self,
        actor: Actor,
        *,
        incident_type: str,
        customer_type: str,
        triggers: list[str],
        description: str,
        compensation: Decimal,
        now: datetime,
        approval_token: str | None = None,
    ) -> IncidentReceipt:
        """Record an incident (``actions.report_incident``); a sensitive trigger escalates at once."""
        with self.database.sessions.begin() as session:
            return kiosk_service.record_incident(
                session,
                actor,
                incident_type=incident_type,
                customer_type=customer_type,
                triggers=triggers,
                description=description,
                compensation=compensation,
                now=now,
                approval_token=approval_token,
            )

    # -- promises, help, check-ins, support --------------------------------------------------------
    def kiosk_promise(
        self, actor: Actor, store_id: int, description: str, due_at: datetime, now: datetime
    ) -> int:
        """A callback promised to a customer, tracked with a deadline (``actions.add_commitment``)."""
        with self.database.sessions.begin() as session:
            return actions.add_commitment(session, actor, store_id, description.strip(), due_at, now)

    def kiosk_promises(self, actor: Actor) -> list[PromiseView]:
        with self.session() as session:
            return kiosk_service.open_promises(session, actor)

    def relief_status(self, actor: Actor, alert_id: int) -> ReliefStatus:
        with self.session() as session:
            return kiosk_service.relief_status(session, actor, alert_id)

    def kiosk_check_in(
        self, actor: Actor, score: int, note: str, share: bool, now: datetime
    ) -> CheckInReceipt:
        with self.database.sessions.begin() as session:
            return kiosk_service.check_in(session, actor, score, note, share, now)

    def kiosk_my_check_ins(self, actor: Actor, since: datetime) -> list[OwnCheckIn]:
        """The signed-in person's own check-ins (the kiosk never shows anyone else's)."""
        with self.session() as session:
            return kiosk_service.my_check_ins(session, actor, since)

    def kiosk_support(self, actor: Actor) -> SupportInfo:
        with self.session() as session:
            return kiosk_service.support(session, actor)

    # -- people around alerts (the Alerts screen) -----------------------------------------------
    def alert_assignees(self, actor: Actor, alert_id: int) -> list[PersonRef]:
        """People who may take the alert over (they can see its store)."""
        with self.session() as session:
            return people_service.assignees(session, actor, alert_id)

    def my_cover_offers(self, actor: Actor) -> list[CoverOfferView]:
        """Backup calls offered to this person that nobody has accepted yet."""
        with self.session() as session:
            return people_service.open_cover_offers(session, actor)

    def display_names(self, actor: Actor) -> dict[str, str]:
        with self.session() as session:
            return people_service.display_names(session, actor)

    def alert_notices(self, actor: Actor, alert_id: int) -> list[NoticeView]:
        """Who was told about the alert in the app, and when (the "who was told" of its timeline)."""
        with self.session() as session:
            return people_service.alert_notices(session, actor, alert_id)

    def unread_notices(self, actor: Actor, limit: int = 5) -> list[NoticeView]:
        """The newest unread in-app notifications of this person (the tray's desktop message)."""
        with self.session() as session:
            return people_service.unread_notices(session, actor, limit)
