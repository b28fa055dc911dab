"""Planning the problems found (on inspections and from other sources) and how far each one's
story has got by now."""

from __future__ import annotations

from datetime import timedelta

from civility.demo.history.inspections import REVISIT, SPECIAL, UNANNOUNCED
from civility.demo.history.lives import Life
from civility.demo.history.planner import SECRETARIAT, Planner
from civility.demo.history.plans import ProblemPlan, SiteInfo
from civility.demo.pictures import POOL_SIZE
from civility.demo.texts import DESCRIPTIONS, SITE_AFFINITY, SOURCE_PREFIX

# The states open problems are left in, in turn.
OPEN_CYCLE = (
    "assigned",
    "submitted",
    "assigned",
    "disputed",
    "submitted",
    "extension_pending",
    "assigned",
    "submitted",
)
MIN_OPEN = 6


def find_problems(p: Planner, inspections, visits, drives) -> list[dict]:
    rng = p.rng
    sites = {s.pk: s for s in p.sites}
    street_factor = {pk: rng.uniform(0.6, 1.5) for pk in p.streets}
    site_factor = {s.pk: rng.uniform(0.4, 1.8) for s in p.sites}
    kind_factor = {UNANNOUNCED: 1.4, REVISIT: 0.6}
    category_weights = {s.pk: _category_weights(p, s) for s in p.sites}
    drafts = []
    from_visits = round(p.target * 0.95) if visits else 0
    weights = [
        site_factor[site_id]
        * street_factor[sites[site_id].street_id]
        * kind_factor.get(inspections[index].kind, 1.0)
        for index, site_id in visits
    ]
    picks = rng.choices(visits, weights=weights, k=from_visits) if visits else []
    per_visit: dict[tuple[int, int], int] = {}
    for index, site_id in sorted(picks):
        inspection = inspections[index]
        n = per_visit[(index, site_id)] = per_visit.get((index, site_id), 0) + 1
        base = p.day_time(inspection.date, 0)
        minutes = inspection.site_ids.index(site_id) * 50 + n * 7 + rng.randint(0, 30)
        drafts.append(
            dict(
                inspection=index,
                source="inspection",
                site=sites[site_id],
                reported_at=base + timedelta(minutes=min(minutes, 470)),
                reporter=inspection.created_by,
            )
        )
    sources = ["hotline", "hotline", "hotline", "leader", "leader", "suggestion"]
    span_days = (p.today - p.start).days
    for _ in range(p.target - len(drafts)):
        day = p.start + timedelta(days=rng.randrange(max(1, span_days)))
        drafts.append(
            dict(
                inspection=None,
                source=rng.choice(sources),
                site=rng.choices(p.sites, weights=[site_factor[s.pk] for s in p.sites])[0],
                reported_at=p.day_time(day, rng.randint(30, 480)),
                reporter=SECRETARIAT,
            )
        )
    drafts = [d for d in drafts if d["reported_at"] < p.now - timedelta(minutes=30)]
    drafts.sort(key=lambda d: (d["reported_at"], d["site"].pk))
    for draft in drafts:
        site = draft["site"]
        category = rng.choices(p.categories, weights=category_weights[site.pk])[0]
        template = rng.choice(
            DESCRIPTIONS.get(category.name, ("{site}发现{category}问题，需及时整改。",))
        )
        text = template.format(site=site.name, category=category.name)
        draft.update(
            category=category,
            description=SOURCE_PREFIX.get(draft["source"], "") + text,
            photo=rng.randrange(POOL_SIZE),
            drive=_drive_for(p, draft, inspections, drives),
        )
    return drafts


def _category_weights(p: Planner, site: SiteInfo) -> list[float]:
    weights = []
    for category in p.categories:
        types, exclusive = SITE_AFFINITY.get(category.name, ((), False))
        if site.type_name in types:
            weights.append(4.0)
        else:
            weights.append(0.0 if exclusive else 1.0)
    return weights


def _drive_for(p: Planner, draft, inspections, drives) -> int | None:
    for index, drive in enumerate(drives):
        if drive.start <= draft["reported_at"].date() <= drive.end:
            special = draft["inspection"] is not None and (
                inspections[draft["inspection"]].kind == SPECIAL
            )
            if special or p.rng.random() < 0.3:
                return index
    return None


def _fates(p: Planner, drafts) -> list[str]:
    """How far each problem's story has got by now.

    The newest few wait to be assigned; problems still within their time limit are mostly
    open, a third of those just past it too (overdue), older ones are closed or voided,
    except a few long-overdue ones under 督办 ("stuck"). At least ``MIN_OPEN`` of the newest
    are open whatever their age, so even a small history shows every state.
    """
    rng = p.rng
    n = len(drafts)
    fates = ["closed"] * n
    n_reported = max(2, round(n * 0.006))
    opened = 0
    for rank, i in enumerate(range(n - 1, -1, -1)):
        if rank < n_reported:
            fates[i] = "reported"
            continue
        age = (p.now - drafts[i]["reported_at"]).total_seconds() / 3600
        limit = drafts[i]["category"].limit_hours
        chance = 0.85 if age < limit else 0.35 if age < limit + 96 else 0.0
        if opened < MIN_OPEN or rng.random() < chance:
            fates[i] = OPEN_CYCLE[opened % len(OPEN_CYCLE)]
            opened += 1
        elif rng.random() < 0.02:
            fates[i] = "void"
    cutoff = p.now - timedelta(days=12)  # long enough for any time limit to have passed
    long_ago = [i for i in range(n) if fates[i] == "closed" and drafts[i]["reported_at"] < cutoff]
    for i in rng.sample(long_ago, min(len(long_ago), max(1, round(n * 0.01)))):
        fates[i] = "stuck"
    return fates


def plan_lives(p: Planner, drafts, inspections) -> list[ProblemPlan]:
    result = []
    for draft, fate in zip(drafts, _fates(p, drafts), strict=True):
        reporter = draft["reporter"]
        reviewer = reporter if reporter != SECRETARIAT and p.rng.random() < 0.7 else SECRETARIAT
        steps = Life(p, draft, reviewer).build(fate)
        result.append(
            ProblemPlan(
                inspection=draft["inspection"],
                source=draft["source"],
                site_id=draft["site"].pk,
                category_id=draft["category"].pk,
                reported_at=draft["reported_at"],
                reporter=reporter,
                description=draft["description"],
                photo=draft["photo"],
                drive=draft["drive"],
                steps=steps,
            )
        )
    return result
