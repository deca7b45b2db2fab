"""The red banner tells everyone when no Storemon process runs the escalations."""

from __future__ import annotations

from datetime import timedelta

from storemon.job_lease import JobLeaseHolder
from ui.widgets.jobs_banner import JobsBanner


def test_the_banner_shows_while_nobody_runs_the_jobs_and_hides_once_someone_does(qtbot, make_ctx):
    ctx = make_ctx()
    banner = JobsBanner(ctx)
    qtbot.addWidget(banner)
    assert banner.isHidden()
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=5000)  # nothing has run on this database
    assert "Nobody is running the escalations" in banner.text()

    lease = JobLeaseHolder(ctx.services.database, "pc:kiosk", "kiosk", ctx.clock, timedelta(seconds=45))
    assert lease.refresh()
    lease.ran()  # the kiosk's process ran the escalation job just now
    banner.check()
    qtbot.waitUntil(banner.isHidden, timeout=5000)
