"""The kiosk at the counter (``storemon kiosk --store ID``): "I need help *now*", for staff on shift.

Full screen, large touch targets (every button at least 64 px high), big type. Until someone
signs in with their PIN the kiosk acts as nobody (the store's terminal actor may only list the
names on the picker); after sign-in it acts as that person's user account. Screens:

- sign-in: tap your name, type your PIN; five wrong PINs lock the person for five minutes with
  a visible countdown (the count lives in the database, so another PC of the store sees it);
- I need help now: a relief request (reason presets, free text, urgency), then its live status:
  who was paged, who acknowledged;
- log an incident: type, customer type (with one-line hints), sensitive triggers (which escalate
  at once), the type's playbook, compensation within the person's authority limit, or approved
  by a colleague's PIN, or sent for approval;
- promise a callback: what and when, tracked as a commitment;
- end-of-shift check-in: how hard was this shift (1-5), a private note, optionally shared;
- where to get support: hotline, mutual-aid contacts, mental-health sessions;
- sign out, and automatic sign-out after two minutes without a touch.

Every service call runs through the task runner; the calls made for whoever is signed in belong
to their sign-in scope, so answers that arrive after a sign-out are dropped. Time comes from ``ctx.clock`` (tests advance it instead of
sleeping).

The package: ``window`` (the window, sign-in scope, timers, ``run_kiosk``), one module per screen
(``login``, ``home``, ``help``, ``help_status``, ``incident``, ``promise``, ``checkin``,
``support``) on the shared ``page.Page``, ``widgets`` (touch-sized buttons and labels), ``choices``
(the keyed choice tables) and ``style`` (the style sheet).
"""

from ui.kiosk.window import KioskWindow, run_kiosk

__all__ = ["KioskWindow", "run_kiosk"]
