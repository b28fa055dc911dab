"""The state every planning step shares: one seeded random stream, the calendar and lookups.

The steps draw from ``Planner.rng`` in a fixed order (see ``plan_history``), which is what
makes the same inputs give the same plan."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civility.demo.history.plans import Catalogue, CategoryInfo, SiteInfo
from civility.demo.texts import GIVEN_NAME_CHARS, SURNAMES

SECRETARIAT = "@secretariat"
LEADER = "@leader"
LIAISON = "@liaison"  # the liaison of the problem's primary unit at that moment


class Planner:
    """The seeded random stream, "now", the history's span and the catalogue's lookups."""

    def __init__(self, seed, now, months, problems, catalogue: Catalogue):
        self.rng = random.Random(seed)
        self.now = timezone.localtime(now)
        self.tz = self.now.tzinfo
        self.today = self.now.date()
        self.start = self.today - timedelta(days=max(7, round(months * 30.5)))
        self.target = problems
        self.cat = catalogue
        self.units = {u.pk: u for u in catalogue.units}
        self.sites = [s for s in catalogue.sites if s.default_unit_id in self.units]
        self.categories = list(catalogue.categories)
        self.sites_by_street: dict[int, list[SiteInfo]] = {}
        for site in self.sites:
            self.sites_by_street.setdefault(site.street_id, []).append(site)
        self.streets = sorted(self.sites_by_street)
        # Some units fix things late and sloppily, others promptly: rankings need a spread.
        self.sloppiness = {
            u.pk: min(2.5, max(0.3, self.rng.lognormvariate(0, 0.5))) for u in catalogue.units
        }

    def name(self) -> str:
        given = "".join(self.rng.sample(GIVEN_NAME_CHARS, self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def day_time(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(8, 30), tzinfo=self.tz) + timedelta(minutes=minutes)

    def other_unit(self, site: SiteInfo, category: CategoryInfo, current: int) -> int | None:
        """Where a disputed problem is reassigned: the 条 department, else the other 块 unit."""
        for pk in (
            category.default_department_id,
            site.community_id,
            site.street_id,
            site.default_unit_id,
        ):
            if pk is not None and pk != current and pk in self.units:
                return pk
        return None
