"""A liaison's 书面点评 on the home page: what the unit must still 签收 or answer, with deadlines.

Only the bell used to say so, though a written criticism has a reply deadline (SPEC §4). One query
whatever the number of rows: the waiting receipts of one unit are few (each needs a leader to write
a 书面点评), so they are read at once and ordered by deadline in Python, where the per-row
``reply_days`` is easy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from civility.core.roles import Role
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.permissions import commentary_receipts_visible_to
from civility.supervision.commentary.services import ReceiptState, receipt_state

SHORT_LIST = 10


def waiting_q() -> Q:
    """Receipts of a 书面点评 the unit has not signed, or (a criticism) not answered yet."""
    return Q(commentary__kind=Commentary.Kind.WRITTEN) & (
        Q(acknowledged_at__isnull=True)
        | Q(commentary__tone=Commentary.Tone.CRITICISM, replied_at__isnull=True)
    )


@dataclass(frozen=True)
class WaitingCommentary:
    receipt: CommentaryReceipt
    commentary: Commentary
    state: ReceiptState
    to_acknowledge: bool
    due: date | None  # the reply deadline of a criticism; a praise only needs 签收


def _order(row: WaitingCommentary):
    # Overdue first, then by deadline; commentary without a deadline last, oldest first.
    return (not row.state.overdue, row.due is None, row.due or date.max, row.commentary.date)


def liaison_commentary(user, today: date | None = None) -> dict | None:
    """The unit's waiting 书面点评, most pressing first; None when the person is not a liaison."""
    if not (user.has_role(Role.LIAISON) and user.unit_id):
        return None
    today = today or timezone.localdate()
    receipts = (
        commentary_receipts_visible_to(user)
        .filter(waiting_q(), unit_id=user.unit_id)
        .select_related("commentary__author")
        .order_by("commentary__date", "id")
    )
    rows = []
    for receipt in receipts:
        commentary = receipt.commentary
        rows.append(
            WaitingCommentary(
                receipt=receipt,
                commentary=commentary,
                state=receipt_state(receipt, today),
                to_acknowledge=receipt.acknowledged_at is None,
                due=commentary.reply_due if commentary.needs_reply else None,
            )
        )
    rows.sort(key=_order)
    return {
        "unit": user.unit,
        "rows": rows[:SHORT_LIST],
        "total": len(rows),
        "to_acknowledge": sum(1 for row in rows if row.to_acknowledge),
        "to_reply": sum(1 for row in rows if not row.to_acknowledge),
        "overdue": sum(1 for row in rows if row.state.overdue),
    }


def home_section(request) -> dict | None:
    waiting = liaison_commentary(request.user)
    return None if waiting is None else {"liaison_commentary": waiting}
