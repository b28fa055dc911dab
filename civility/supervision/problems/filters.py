"""Filters of the supervision lists (django-filter), applied to the user's visible queryset."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from civility.core.choice_labels import translated
from civility.org.models import ProblemCategory, Unit
from civility.supervision.problems.models import Drive, Problem

DUE_CHOICES = [
    (state.value, gettext_lazy(state.label))
    for state in Problem.DueState
    if state != Problem.DueState.NONE
]


class ProblemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_text",
        widget=forms.TextInput(attrs={"placeholder": _("编号、描述、点位"), "type": "search"}),
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道"),
        queryset=Unit.objects.none(),
        method="filter_street",
        empty_label=_("全部街道"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("主责单位"),
        field_name="primary_unit",
        queryset=Unit.objects.none(),
        empty_label=_("全部单位"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=ProblemCategory.objects.none(), empty_label=_("全部类别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=translated(Problem.Status.choices), empty_label=_("全部状态")
    )
    due_state = django_filters.ChoiceFilter(
        label=_("期限"), choices=DUE_CHOICES, method="filter_due_state", empty_label=_("全部")
    )
    source = django_filters.ChoiceFilter(
        label=_("来源"), choices=translated(Problem.Source.choices), empty_label=_("全部来源")
    )
    drive = django_filters.ModelChoiceFilter(
        label=_("专项行动"), queryset=Drive.objects.none(), empty_label=_("全部")
    )
    date_from = django_filters.DateFilter(
        label=_("上报日期起"),
        field_name="reported_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("上报日期止"),
        field_name="reported_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The liaison inbox's 待签收 and 被退回 cards (inbox.liaison_inbox) link with these; without
    # them the links listed every 待整改 problem of the unit.
    acknowledged = django_filters.ChoiceFilter(
        label=_("签收"),
        choices=[("no", _("未签收")), ("yes", _("已签收"))],
        method="filter_acknowledged",
        empty_label=_("全部"),
    )
    returned = django_filters.ChoiceFilter(
        label=_("退回重改"),
        choices=[("yes", _("被退回过")), ("no", _("未被退回"))],
        method="filter_returned",
        empty_label=_("全部"),
    )

    # Shown at once; the rest sit behind "更多筛选".
    MAIN = ("q", "street", "unit", "category", "status", "due_state")

    class Meta:
        model = Problem
        fields = [
            "q",
            "street",
            "unit",
            "category",
            "status",
            "due_state",
            "source",
            "drive",
            "date_from",
            "date_to",
            "acknowledged",
            "returned",
        ]

    def __init__(self, *args, visible=None, **kwargs):
        """``visible``: the user's problems. Street and unit choices are the streets and primary
        units that occur in them, so a liaison is offered only what they can see."""
        super().__init__(*args, **kwargs)
        streets = Unit.objects.filter(kind=Unit.Kind.STREET)
        units = Unit.objects.all()
        if visible is not None:
            streets = streets.filter(pk__in=visible.values("site__street"))
            units = units.filter(pk__in=visible.values("primary_unit"))
        self.filters["street"].queryset = streets.order_by("order", "id")
        self.filters["unit"].queryset = units.order_by("kind", "order", "id")
        self.filters["category"].queryset = ProblemCategory.objects.filter(active=True)
        self.filters["drive"].queryset = Drive.objects.all()

    @property
    def main_fields(self):
        return [self.form[name] for name in self.MAIN]

    @property
    def more_fields(self):
        return [self.form[name] for name in self.Meta.fields if name not in self.MAIN]

    @property
    def active_count(self) -> int:
        """How many filters are set (shown on the folded 筛选 toggle of a phone)."""
        return sum(1 for name in self.Meta.fields if str(self.data.get(name, "")).strip())

    @property
    def more_active(self) -> bool:
        return any(self.data.get(name) for name in self.Meta.fields if name not in self.MAIN)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(description__icontains=value)
            | Q(site__name__icontains=value)
        )

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "no"))

    def filter_returned(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(rework_count__gt=0)
        return queryset.filter(rework_count=0)

    def filter_street(self, queryset, name, value):
        return queryset.filter(site__street=value)

    def filter_due_state(self, queryset, name, value):
        return queryset.filter(Problem.due_state_q(value, timezone.now()))
