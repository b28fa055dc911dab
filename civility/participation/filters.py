"""Filters of the participation list pages; each is given the rows this person may see."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Unit
from civility.participation.models import Activity, ActivitySeries, Suggestion
from civility.supervision.inspections.forms import DateInput


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Suggestion.Status.choices, empty_label=_("全部状态")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=Suggestion.Category.choices, empty_label=_("全部类别")
    )
    rating = django_filters.ChoiceFilter(
        label=_("评价"), choices=Suggestion.Rating.choices, empty_label=_("全部评价")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("答复单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("答复逾期"),
        choices=[("1", _("只看答复逾期"))],
        empty_label=_("不限"),
        method="filter_overdue",
    )
    submitted_from = django_filters.DateFilter(
        label=_("提交自"), field_name="submitted_at", lookup_expr="date__gte", widget=DateInput()
    )
    submitted_to = django_filters.DateFilter(
        label=_("提交至"), field_name="submitted_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Suggestion
        fields = [
            "q",
            "status",
            "category",
            "rating",
            "unit",
            "overdue",
            "submitted_from",
            "submitted_to",
        ]

    def __init__(self, *args, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = visible if visible is not None else Suggestion.objects.none()
        # Only units this person's suggestions were given to.
        self.filters["unit"].queryset = Unit.objects.filter(
            pk__in=visible.exclude(unit=None).values("unit")
        ).order_by("kind", "order", "id")

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(
            status=Suggestion.Status.ASSIGNED, reply_deadline__lt=timezone.localdate()
        )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(text__icontains=value)
            | Q(place__icontains=value)
            | Q(site__name__icontains=value)
            | Q(reply__icontains=value)
        )


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    series = django_filters.ModelChoiceFilter(
        label=_("活动系列"), queryset=ActivitySeries.objects.none(), empty_label=_("全部系列")
    )
    organiser = django_filters.ModelChoiceFilter(
        label=_("组织单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    date_from = django_filters.DateFilter(
        label=_("日期自"), field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("日期至"), field_name="date", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = Activity
        fields = ["q", "series", "organiser", "date_from", "date_to"]

    def __init__(self, *args, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = visible if visible is not None else Activity.objects.none()
        self.filters["series"].queryset = ActivitySeries.objects.filter(active=True).order_by(
            "headquarters", "order", "id"
        )
        self.filters["organiser"].queryset = Unit.objects.filter(
            pk__in=visible.values("organiser")
        ).order_by("kind", "order", "id")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(place__icontains=value) | Q(description__icontains=value)
        )
