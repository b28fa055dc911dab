"""督查点评 (SPEC §4) is one Django app, ``supervision``, whose models live in its areas:

- ``inspections.models``: inspection teams and inspections (督查);
- ``inspections.visits``: site visits and their 测评 results (点位测评, SPEC §6);
- ``problems.models``: problems, photos, the event trail, extension requests (the closed loop);
- ``commentary.models``: leaders' commentary and units' receipts (点评);
- ``notifications.models``: in-app notifications.

This module only imports them so that Django registers them under the app's label; code imports
models from their area.
"""

from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.visits import SiteVisit, SiteVisitItem
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.models import (
    Drive,
    ExtensionRequest,
    Photo,
    Problem,
    ProblemEvent,
    Sequence,
)

__all__ = [
    "Commentary",
    "CommentaryReceipt",
    "Drive",
    "ExtensionRequest",
    "Inspection",
    "InspectionTeam",
    "Notification",
    "Photo",
    "Problem",
    "ProblemEvent",
    "Sequence",
    "SiteVisit",
    "SiteVisitItem",
]
