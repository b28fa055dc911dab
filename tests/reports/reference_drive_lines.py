"""The 通报's drive lines as they were computed before ``drive_figures`` (every problem of the
drives replayed by ``asof.states`` and tallied in Python): the reference the database's counts
are compared with (tests/reports/test_compile_unchanged.py)."""

from civility.reports import asof, levers
from civility.supervision.drives.models import Drive
from civility.supervision.drives.services import drive_tree, family_from
from civility.supervision.problems.models import Problem

Status = Problem.Status


def tally(states, period, moment) -> dict:
    closed = [s for s in states if s.is_closed]
    sites: dict[int, bool] = {}
    for s in states:
        sites[s.problem.site_id] = sites.get(s.problem.site_id, True) and (
            s.status not in levers.UNRESOLVED
        )
    return {
        "found": len(states),
        "found_in_period": sum(1 for s in states if s.problem.reported_at >= period.start),
        "closed": len(closed),
        "on_time": sum(1 for s in closed if s.deadline is not None and s.closed_at <= s.deadline),
        "overdue": sum(1 for s in states if s.overdue_at(moment)),
        "recurring": sum(1 for s in states if s.problem.recurrence_of_id is not None),
        "sites_cleared": sum(1 for cleared in sites.values() if cleared),
    }


def drive_lines(headquarters, period, moment) -> list[dict]:
    drives = list(
        Drive.objects.filter(
            headquarters=headquarters,
            start_date__lte=period.last,
            end_date__gte=period.first,
            parent__isnull=True,
        )
        .prefetch_related("targets", "children")
        .order_by("start_date", "pk")
    )
    tree = drive_tree(headquarters.pk)
    families = {d.pk: family_from(d.pk, tree) for d in drives}
    for drive in drives:
        for child in drive.children.all():
            families[child.pk] = family_from(child.pk, tree)
    wanted = {pk for ids in families.values() for pk in ids}
    states = [
        s
        for s in asof.states(
            Problem.objects.filter(headquarters=headquarters, drive__in=wanted)
            .select_related("primary_unit")
            .order_by("reported_at", "pk"),
            moment,
        )
        if s.status != Status.VOID
    ]

    def figures(pk):
        ids = set(families[pk])
        mine = [s for s in states if s.problem.drive_id in ids]
        return levers._Tally(tally(mine, period, moment))

    lines = []
    for drive in drives:
        line = figures(drive.pk)
        children = sorted(drive.children.all(), key=lambda c: (c.start_date, c.pk))
        lines.append(
            {
                "drive_id": drive.pk,
                "name": drive.name,
                "kind": drive.get_kind_display(),
                "start": f"{drive.start_date:%Y-%m-%d}",
                "end": f"{drive.end_date:%Y-%m-%d}",
                **line.as_dict(),
                "sub_drives": [
                    {
                        "name": child.name,
                        "start": f"{child.start_date:%Y-%m-%d}",
                        "end": f"{child.end_date:%Y-%m-%d}",
                        **figures(child.pk).as_dict(),
                    }
                    for child in children
                ],
                "targets": [levers._target(t, line) for t in drive.targets.all()],
            }
        )
    return lines
