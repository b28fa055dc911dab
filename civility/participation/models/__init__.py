"""全民参与 (SPEC §7): representatives' suggestions, activities, selections, the campaign budget and
the organisations that take part in a community's work (四级同创).

Each area keeps its models in its own module; this package only imports them so Django registers
them under the app label ``participation``.
"""

from civility.participation.models.activities import Activity, ActivitySeries
from civility.participation.models.budget import Allocation, Budget, BudgetProject, Spending
from civility.participation.models.organisations import ParticipatingOrganisation
from civility.participation.models.photos import ParticipationPhoto
from civility.participation.models.selections import Nomination, Selection, SelectionResult
from civility.participation.models.suggestions import Suggestion, SuggestionAction, SuggestionEvent

__all__ = [
    "Activity",
    "ActivitySeries",
    "Allocation",
    "Budget",
    "BudgetProject",
    "Nomination",
    "ParticipatingOrganisation",
    "ParticipationPhoto",
    "Selection",
    "SelectionResult",
    "Spending",
    "Suggestion",
    "SuggestionAction",
    "SuggestionEvent",
]
