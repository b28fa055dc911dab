"""Organisation (SPEC §2) and standards (SPEC §3), one module per area.

Every record hangs off one Headquarters, so one deployment can hold several districts. Each area
keeps its models in its own module; this package imports them so Django registers them under the
app label ``org`` and ``from civility.org.models import X`` works everywhere.
"""

from civility.org.models.assignments import Assignment
from civility.org.models.categories import ProblemCategory
from civility.org.models.checklists import Checklist, ChecklistItem
from civility.org.models.headquarters import DEFAULT_COPY_TO, Headquarters, Leader
from civility.org.models.sites import Site, SiteType
from civility.org.models.standards import AssessmentMethod, Indicator
from civility.org.models.units import Linkage, Unit, WorkGroup

__all__ = [
    "DEFAULT_COPY_TO",
    "AssessmentMethod",
    "Assignment",
    "Checklist",
    "ChecklistItem",
    "Headquarters",
    "Indicator",
    "Leader",
    "Linkage",
    "ProblemCategory",
    "Site",
    "SiteType",
    "Unit",
    "WorkGroup",
]
