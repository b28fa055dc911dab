"""Who may see, write, 签收 and reply to commentary (点评)."""

from django.db.models import QuerySet

from civility.core.permissions import has_role, is_secretariat, is_unit_liaison, sees_everything
from civility.core.roles import Role
from civility.supervision.commentary.models import Commentary, CommentaryReceipt


def commentary_visible_to(user) -> QuerySet:

    qs = Commentary.objects.all()
    if sees_everything(user) or has_role(user, Role.INSPECTOR):
        return qs
    if has_role(user, Role.LIAISON) and user.unit_id:
        return qs.filter(pk__in=Commentary.objects.filter(units=user.unit_id).values("pk"))
    return qs.none()


def can_view_commentary_list(user) -> bool:
    return (
        sees_everything(user)
        or has_role(user, Role.INSPECTOR)
        or (has_role(user, Role.LIAISON) and user.unit_id is not None)
    )


def can_write_commentary(user) -> bool:
    return has_role(user, Role.LEADER) or is_secretariat(user)


def can_acknowledge_commentary(user, receipt) -> bool:
    return (
        receipt.commentary.needs_receipt
        and receipt.acknowledged_at is None
        and is_unit_liaison(user, receipt.unit_id)
    )


def can_reply_commentary(user, receipt) -> bool:
    return (
        receipt.commentary.needs_reply
        and receipt.acknowledged_at is not None
        and receipt.replied_at is None
        and is_unit_liaison(user, receipt.unit_id)
    )


def sees_all_commentary_receipts(user) -> bool:
    """Secretariat, leaders and inspectors see every unit's 签收 and reply; a liaison sees only
    their own unit's."""
    return sees_everything(user) or has_role(user, Role.INSPECTOR)


def commentary_receipts_visible_to(user) -> QuerySet:

    qs = CommentaryReceipt.objects.all()
    if sees_all_commentary_receipts(user):
        return qs
    if has_role(user, Role.LIAISON) and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()
