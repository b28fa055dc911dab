"""Who may see and do what in 全民参与 (SPEC §1): the secretariat manages, leaders see everything,
a liaison sees and enters only their unit's activities and nominations and the suggestions given
to their unit to answer, a representative sees their own suggestions and everything published.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civility.core.permissions import (
    has_any_role,
    has_role,
    is_secretariat,
    is_unit_liaison,
    sees_everything,
    signed_in,
)
from civility.core.roles import Role
from civility.participation.models import (
    Activity,
    Nomination,
    ParticipationPhoto,
    Selection,
    Suggestion,
    SuggestionAction,
    SuggestionEvent,
)


def _liaison_unit(user) -> int | None:
    return user.unit_id if has_role(user, Role.LIAISON) and user.unit_id else None


# --- suggestions ------------------------------------------------------------------------------


def suggestions_visible_to(user) -> QuerySet:
    """Secretariat and leaders: all; a representative: their own; a liaison: those ever given to
    their unit to answer."""
    qs = Suggestion.objects.all()
    if not signed_in(user):
        return qs.none()
    if sees_everything(user):
        return qs
    condition = Q(pk__in=[])
    if has_role(user, Role.REPRESENTATIVE):
        condition |= Q(author=user)
    if (unit_id := _liaison_unit(user)) is not None:
        given = SuggestionEvent.objects.filter(action=SuggestionAction.ASSIGN, unit_id=unit_id)
        condition |= Q(pk__in=given.values("suggestion_id"))
    if condition == Q(pk__in=[]):
        return qs.none()
    return qs.filter(condition)


def can_view_suggestions(user) -> bool:
    return (
        sees_everything(user)
        or has_role(user, Role.REPRESENTATIVE)
        or _liaison_unit(user) is not None
    )


def can_view_suggestion(user, suggestion: Suggestion) -> bool:
    return suggestions_visible_to(user).filter(pk=suggestion.pk).exists()


def can_submit_suggestion(user) -> bool:
    return has_role(user, Role.REPRESENTATIVE)


def can_handle_suggestion(user, suggestion: Suggestion | None = None) -> bool:
    """转为问题, 交办答复, 直接答复: the secretariat."""
    return is_secretariat(user)


def can_reply_suggestion(user, suggestion: Suggestion) -> bool:
    return is_unit_liaison(user, suggestion.unit_id)


def can_rate_suggestion(user, suggestion: Suggestion) -> bool:
    """The representative who made it rates each round of handling once."""
    return (
        signed_in(user)
        and user.pk == suggestion.author_id
        and has_role(user, Role.REPRESENTATIVE)
        and not suggestion.rating
    )


def is_system(user, suggestion: Suggestion | None = None) -> bool:
    """办结 follows the linked problems: nobody takes it by hand."""
    return user is None


# --- activities -------------------------------------------------------------------------------


def activities_visible_to(user) -> QuerySet:
    """Activities are public work: every role sees them, except that a liaison sees their own
    unit's."""
    qs = Activity.objects.all()
    if not has_any_role(user):
        return qs.none()
    if (
        sees_everything(user)
        or has_role(user, Role.REPRESENTATIVE)
        or has_role(user, Role.INSPECTOR)
    ):
        return qs
    if (unit_id := _liaison_unit(user)) is not None:
        return qs.filter(organiser_id=unit_id)
    return qs.none()


def can_view_activities(user) -> bool:
    return has_any_role(user)


def can_enter_activity(user) -> bool:
    return is_secretariat(user) or _liaison_unit(user) is not None


def can_edit_activity(user, activity: Activity) -> bool:
    return is_secretariat(user) or is_unit_liaison(user, activity.organiser_id)


# --- selections -------------------------------------------------------------------------------


def selections_visible_to(user) -> QuerySet:
    """Secretariat, leaders and liaisons (who nominate) see every selection; everyone else the
    ones on 公示 or published."""
    qs = Selection.objects.all()
    if not has_any_role(user):
        return qs.none()
    if sees_everything(user) or _liaison_unit(user) is not None:
        return qs
    return qs.filter(status__in=Selection.PUBLIC)


def can_view_selections(user) -> bool:
    return has_any_role(user)


def nominations_visible_to(user, selection: Selection) -> QuerySet:
    """Secretariat and leaders: every nomination; a liaison: their unit's, and while on 公示 or
    published the shortlist; everyone else: the shortlist once public."""
    qs = Nomination.objects.filter(selection=selection)
    if sees_everything(user):
        return qs
    public = Q(shortlisted=True) if selection.is_public else Q(pk__in=[])
    if (unit_id := _liaison_unit(user)) is not None:
        return qs.filter(public | Q(unit_id=unit_id))
    return qs.filter(public)


def can_manage_selections(user) -> bool:
    return is_secretariat(user)


def can_nominate(user, selection: Selection) -> bool:
    return selection.status == Selection.Status.NOMINATING and (
        is_secretariat(user) or _liaison_unit(user) is not None
    )


def nominating_units_for(user, selection: Selection):
    """The units this person may nominate for: any active unit for the secretariat, their own
    for a liaison."""
    from_hq = selection.headquarters.units.filter(active=True)
    if is_secretariat(user):
        return from_hq.order_by("kind", "order", "id")
    if (unit_id := _liaison_unit(user)) is not None:
        return from_hq.filter(pk=unit_id)
    return from_hq.none()


# --- budget -----------------------------------------------------------------------------------


def can_view_budget(user) -> bool:
    """Secretariat and leaders; representatives too (deputies oversee public spending). A liaison
    sees their unit's line on the unit page, not the district's budget."""
    return sees_everything(user) or has_role(user, Role.REPRESENTATIVE)


def can_view_unit_budget(user, unit) -> bool:
    return can_view_budget(user) or is_unit_liaison(user, unit.pk)


# --- photos -----------------------------------------------------------------------------------


def can_view_photo(user, photo: ParticipationPhoto) -> bool:
    """A photo is seen by whoever may see the suggestion, activity or nomination it belongs to."""
    if photo.suggestion_id:
        return suggestions_visible_to(user).filter(pk=photo.suggestion_id).exists()
    if photo.activity_id:
        return activities_visible_to(user).filter(pk=photo.activity_id).exists()
    nomination = photo.nomination
    return nominations_visible_to(user, nomination.selection).filter(pk=nomination.pk).exists()
