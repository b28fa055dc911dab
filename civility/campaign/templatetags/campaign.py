"""Template tags other apps' pages use to show the campaign's data without importing it:
``{% honours_by_unit hq as honours %}`` once (one query), then
``{% honour_badges honours unit %}`` next to each unit (the /org/ page)."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from civility.campaign.models import Honour
from civility.core.permissions import is_unit_liaison, sees_everything

register = template.Library()


@register.simple_tag(takes_context=True)
def honours_by_unit(context, hq) -> dict:
    """{unit pk: [honour, …]} of the honours units hold (有效; warnings only for those who may
    see them: leaders, the secretariat and the unit's own liaison)."""
    if hq is None:
        return {}
    user = context.get("user")
    by_unit: dict[int, list[Honour]] = {}
    held = Honour.objects.filter(headquarters=hq, status__in=Honour.HELD).order_by(
        "-year_awarded", "id"
    )
    for honour in held:
        if honour.status == Honour.Status.WARNING and not (
            sees_everything(user) or is_unit_liaison(user, honour.unit_id)
        ):
            continue
        by_unit.setdefault(honour.unit_id, []).append(honour)
    return by_unit


@register.simple_tag
def honour_badges(honours: dict, unit) -> str:
    rows = honours.get(getattr(unit, "pk", unit), []) if honours else []
    if not rows:
        return ""
    return format_html_join(
        " ",
        '<span class="badge honour{}" title="{}">{}</span>',
        (
            (
                " honour-warning" if h.status == Honour.Status.WARNING else "",
                f"{h.year_awarded} {_(h.get_status_display())}",
                h.display_title,
            )
            for h in rows
        ),
    )
