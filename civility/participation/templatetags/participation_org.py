"""For /org/ (the organisation app imports nothing of ours): the participating organisations of
every community of a headquarters, fetched once.

    {% load participation_org %}
    {% organisations_by_community hq as organisations %}
    {% for o in organisations|of_community:community.pk %}…{% endfor %}
"""

from django import template

from civility.participation.models import ParticipatingOrganisation

register = template.Library()


@register.simple_tag
def organisations_by_community(hq) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for organisation in ParticipatingOrganisation.objects.filter(
        community__headquarters=hq, active=True
    ).order_by("kind", "name"):
        grouped.setdefault(organisation.community_id, []).append(organisation)
    return grouped


@register.filter
def of_community(grouped: dict, community_id) -> list:
    return grouped.get(community_id, []) if grouped else []
