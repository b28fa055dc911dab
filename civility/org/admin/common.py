"""List filters and an autocomplete narrowing shared by the organisation admins."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q

from civility.core.params import parse_id
from civility.org.models import Unit


class StreetFilter(admin.SimpleListFilter):
    """所属街道: rows whose unit is the street itself or one of its communities (its area)."""

    title = "所属街道"
    parameter_name = "street"
    unit_path = "unit"

    def lookups(self, request, model_admin):
        streets = Unit.objects.filter(kind=Unit.Kind.STREET).order_by("headquarters", "order", "id")
        return [(str(pk), name) for pk, name in streets.values_list("pk", "name")]

    def area_q(self, pk: int) -> Q:
        return Q(**{self.unit_path: pk}) | Q(**{f"{self.unit_path}__parent": pk})

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        pk = parse_id(value)
        if pk is None:
            raise IncorrectLookupParameters(f"无效的街道：{value}")
        return queryset.filter(self.area_q(pk))


class CommunityStreetFilter(StreetFilter):
    """On the unit list: the communities of a street."""

    def area_q(self, pk: int) -> Q:
        return Q(parent=pk)


class LinkageStreetFilter(StreetFilter):
    unit_path = "target"


class LimitedAutocompleteMixin:
    """Narrows another admin's autocomplete to the choices that model's clean() accepts.

    ``autocomplete_limits`` maps (model_name, field_name) of the field being edited to a Q.
    """

    autocomplete_limits: dict[tuple[str, str], Q] = {}

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            key = (request.GET.get("model_name"), request.GET.get("field_name"))
            if key in self.autocomplete_limits:
                queryset = queryset.filter(self.autocomplete_limits[key])
        return queryset, may_have_duplicates
