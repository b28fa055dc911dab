"""Links from a figure to the problem list filtered to exactly the rows it counts."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode


def problems_url(**params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return reverse("problem_list") + ("?" + urlencode(query) if query else "")


# The problem-list filters behind each figure of a drive (see supervision.drives.progress).
FIGURE_FILTERS = {
    "found": {"status": "valid"},
    "closed": {"status": "closed"},
    "on_time": {"due_state": "closed_on_time"},
    "overdue": {"due_state": "overdue"},
    "recurring": {"recurring": "yes"},
}


def figure_urls(**base) -> dict[str, str]:
    """{figure name: url} for the figures of one row (``base``: drive, unit, dates …; a status
    in ``base`` wins, e.g. the 待交办 row's)."""
    return {
        name: problems_url(**base, **{k: v for k, v in extra.items() if k not in base})
        for name, extra in FIGURE_FILTERS.items()
    }
