import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Assignment, Unit, WorkGroup


class AssignmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    work_group = django_filters.ModelChoiceFilter(
        label=_("工作组"), queryset=WorkGroup.objects.none(), empty_label=_("全部工作组")
    )
    unit_kind = django_filters.ChoiceFilter(
        label=_("单位类别"),
        field_name="unit__kind",
        choices=Unit.Kind.choices,
        empty_label=_("全部类别"),
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道"),
        queryset=Unit.objects.none(),
        method="filter_street",
        empty_label=_("全部街道"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"), queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    due_state = django_filters.ChoiceFilter(
        label=_("完成状态"),
        choices=Assignment.DueState.choices,
        method="filter_due_state",
        empty_label=_("全部状态"),
    )
    cycle = django_filters.ChoiceFilter(
        label=_("周期"), choices=Assignment.Cycle.choices, empty_label=_("全部周期")
    )

    class Meta:
        model = Assignment
        fields = ["q", "work_group", "unit_kind", "street", "unit", "due_state", "cycle"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.all()
        self.filters["work_group"].queryset = WorkGroup.objects.all()
        self.filters["street"].queryset = Unit.objects.filter(kind=Unit.Kind.STREET)
        self.filters["unit"].queryset = units.order_by("kind", "order", "id")

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(goal__icontains=value)
            | Q(task__icontains=value)
            | Q(requirements__icontains=value)
            | Q(responsible_person__icontains=value)
            | Q(unit__name__icontains=value)
        )

    def filter_street(self, queryset, name, value):
        return queryset.filter(Q(unit=value) | Q(unit__parent=value))

    def filter_due_state(self, queryset, name, value):
        return queryset.filter(Assignment.due_state_q(value, timezone.localdate()))
