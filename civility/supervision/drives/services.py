"""Reads about drives that the inspection form, the workflow and the drive pages share: which
drives run on a day, which one a new problem belongs to, and a drive's family (itself and its
sub-drives, whose problems count for it)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from civility.supervision.drives.models import Drive


def _day(when: date | datetime) -> date:
    return timezone.localdate(when) if isinstance(when, datetime) else when


def drives_running_on(hq, when: date | datetime) -> QuerySet:
    """The drives of ``hq`` whose period includes the day of ``when``."""
    day = _day(when)
    return Drive.objects.filter(headquarters=hq, start_date__lte=day, end_date__gte=day)


def default_drive_for_inspection(hq, when: date | datetime) -> Drive | None:
    """The drive an inspection on that day is preselected with: the running top-level drive
    that started last (the inspector may choose a sub-drive or "无" instead)."""
    running = list(drives_running_on(hq, when).order_by("-start_date", "-id"))
    top = [d for d in running if d.parent_id is None or d.parent_id not in {r.pk for r in running}]
    return top[0] if top else None


def _ancestors(drive: Drive, by_id: dict[int, Drive]) -> set[int]:
    seen: set[int] = set()
    parent_id = drive.parent_id
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = by_id.get(parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return seen


def running_drive_for(
    category, when: date | datetime, hq, *, fallback: Drive | None = None
) -> Drive | None:
    """The drive a problem of ``category`` reported at ``when`` is tagged with.

    First the running drives that target the category, the most specific one: a sub-drive over
    its parent, then the one with the fewest target categories, then the latest to start. Else
    ``fallback`` (the inspection's drive). Else a running drive without target categories (one
    that covers every category), again the most specific.
    """
    running = list(
        drives_running_on(hq, when).annotate(category_count=Count("categories", distinct=True))
    )
    if not running:
        return fallback
    by_id = {d.pk: d for d in running}
    targeting = set(
        Drive.categories.through.objects.filter(
            drive_id__in=by_id, problemcategory_id=getattr(category, "pk", category)
        ).values_list("drive_id", flat=True)
    )
    specific = _most_specific([d for d in running if d.pk in targeting], by_id)
    if specific is not None:
        return specific
    if fallback is not None:
        return fallback
    return _most_specific([d for d in running if d.category_count == 0], by_id)


def _most_specific(candidates: list[Drive], by_id: dict[int, Drive]) -> Drive | None:
    if not candidates:
        return None
    covered = set().union(*(_ancestors(d, by_id) for d in candidates))
    leaves = [d for d in candidates if d.pk not in covered]
    leaves.sort(key=lambda d: (d.category_count, -d.start_date.toordinal(), -d.pk))
    return leaves[0]


def drive_tree(hq_id: int) -> dict[int, int | None]:
    """{drive pk: parent pk} of a headquarters' drives (one query)."""
    return dict(Drive.objects.filter(headquarters=hq_id).values_list("pk", "parent_id"))


def family_from(pk: int, tree: dict[int, int | None]) -> list[int]:
    """``pk`` and every drive below it in ``tree``, parents before children."""
    children: dict[int | None, list[int]] = {}
    for child, parent in sorted(tree.items()):
        children.setdefault(parent, []).append(child)
    ids, index = [pk], 0
    while index < len(ids):
        ids += [c for c in children.get(ids[index], []) if c not in ids]
        index += 1
    return ids


def family_ids(drive: Drive) -> list[int]:
    """The drive and all its sub-drives (any depth)."""
    return family_from(drive.pk, drive_tree(drive.headquarters_id))
