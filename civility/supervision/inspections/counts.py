"""Site and problem counts of inspections, for the rows a page shows only.

Annotating ``Count("sites")`` and ``Count("problems")`` on a list before it is sliced made the
database count them for every inspection (100,000 at city scale) to show 25; this counts the
shown ones with one query.
"""

from __future__ import annotations

from django.db.models import Count

from civility.supervision.inspections.models import Inspection

COUNTS = {
    "site_count": Count("sites", distinct=True),
    "problem_count": Count("problems", distinct=True),
}


def add_counts(inspections) -> list:
    """Set ``site_count`` and ``problem_count`` on each inspection (one query); returns them."""
    inspections = list(inspections)
    if not inspections:
        return inspections
    counts = {
        row["pk"]: row
        for row in Inspection.objects.filter(pk__in=[i.pk for i in inspections])
        .annotate(**COUNTS)
        .values("pk", *COUNTS)
    }
    for inspection in inspections:
        inspection.site_count = counts[inspection.pk]["site_count"]
        inspection.problem_count = counts[inspection.pk]["problem_count"]
    return inspections
