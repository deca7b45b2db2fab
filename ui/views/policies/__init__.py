"""The Policies screen: the chain's rules, in six tabs.

1. Tier policies: revenue bands -> staff per shift, validated live (a gap such as 5,000-6,000 is
   marked where it is, explained, and the stores in it listed); saved only after a confirmation
   that names the gap; assigned to stores.
2. Escalation: the five levels of crisis response, their targets and acknowledgement deadlines.
3. Surge calendar: the 3·15 season, holidays and promotions.
4. Thresholds: staffing targets and the pressure levels.
5. Authority and playbooks: what each role may grant alone, and the pre-approved responses per
   incident type (at least three each).
6. Wages: the hourly wage of each role, which prices shifts, days, what-ifs and covers.

Everyone may read; only head-office roles may save (the services refuse others, and the refusal
shows in the tab). Tabs with unsaved edits are not overwritten by a refresh.

The package: ``view`` (the screen), one module per tab (``tiers``, ``escalation``, ``surge``,
``thresholds``, ``incident_rules``, ``wages``) on the shared ``tab.PolicyTab``.
"""

from ui.views.policies.view import PoliciesView

__all__ = ["PoliciesView"]
