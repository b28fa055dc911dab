"""Filters of the campaign's list pages (django-filter), applied to the user's visible rows."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.campaign.models import Accountability, Honour
from civility.org.models import Unit


class AccountabilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    year = django_filters.NumberFilter(label=_("年度"))
    measure = django_filters.ChoiceFilter(
        label=_("问责方式"),
        choices=Accountability.Measure.choices,
        empty_label=_("全部方式"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )

    class Meta:
        model = Accountability
        fields = ["q", "year", "measure", "unit"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        self.filters["unit"].queryset = units.order_by("kind", "order", "id")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reason__icontains=value)
            | Q(person_name__icontains=value)
            | Q(unit__name__icontains=value)
        )


class HonourFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    kind = django_filters.ChoiceFilter(
        label=_("称号"), choices=Honour.Kind.choices, empty_label=_("全部称号")
    )
    level = django_filters.ChoiceFilter(
        label=_("级别"), choices=Honour.Level.choices, empty_label=_("全部级别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Honour.Status.choices, empty_label=_("全部状态")
    )
    year_awarded = django_filters.NumberFilter(label=_("授予年度"))

    class Meta:
        model = Honour
        fields = ["unit", "kind", "level", "status", "year_awarded"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        self.filters["unit"].queryset = units.order_by("kind", "order", "id")
