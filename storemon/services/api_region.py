"""Use cases of the Region screen (regional managers comparing stores)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from staffing.policy import TierPolicy
from storemon.services import export, region
from storemon.services.access import Actor
from storemon.services.api_base import ApiBase
from storemon.services.policy_files import load_policy_file
from storemon.services.region import RosterWhatIf, StoreOverview, TierWhatIfResult

Progress = Callable[[int, int], None]


class RegionApi(ApiBase):
    """Region comparisons: the store overview, heatmaps, what-ifs and exports."""

    def region_overview(
        self,
        actor: Actor,
        region_id: int | None = None,
        days: int = 7,
        *,
        now: datetime | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> list[StoreOverview]:
        """Each visible store's policy verdict and last ``days`` with sales (see ``region.region_overview``)."""
        with self.session() as session:
            return region.region_overview(session, actor, region_id, days, now, progress, cancel)

    def region_tier_whatif(
        self,
        actor: Actor,
        policy: TierPolicy,
        region_id: int | None = None,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> TierWhatIfResult:
        """``tier_whatif`` over the actor's stores in ``region_id``, store by store with progress."""
        with self.session() as session:
            return region.tier_whatif_by_store(session, actor, policy, region_id, progress, cancel)

    def roster_whatif(self, actor: Actor, store_id: int, start_minute: int, end_minute: int) -> RosterWhatIf:
        """The store's last sales week with one more person from ``start_minute`` to ``end_minute``."""
        with self.session() as session:
            return region.roster_whatif(session, actor, store_id, start_minute, end_minute)

    def load_candidate_policy(self, actor: Actor, path: Path) -> TierPolicy:
        """A tier policy from a JSON file, for what-ifs only (nothing is saved)."""
        return load_policy_file(Path(path))

    def policy_issues(self, actor: Actor, policy: TierPolicy) -> list[str]:
        """The gaps and overlaps of a candidate policy, as sentences."""
        return region.policy_issues(policy)

    def export_rows(
        self,
        actor: Actor,
        path: Path,
        rows: Sequence[Any],
        columns: Sequence[export.Column] | None = None,
        *,
        sheet_title: str = "Export",
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Write rows the actor already sees to CSV or XLSX (by suffix); returns the rows written."""
        return export.write_rows(Path(path), rows, columns, sheet_title, progress, cancel)
