"""The inspection list (督查记录): its table and its filters."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civility.core.choice_labels import translated
from civility.org.models import Unit
from civility.supervision.inspections.models import Inspection, InspectionTeam
from civility.supervision.inspections.permissions import can_edit_inspection


def _td(name: str, label=None, *, num: bool = False) -> dict:
    """Cell classes for the phone layout (one card per inspection, see app.css)."""
    css = f"col-{name} num" if num else f"col-{name}"
    td = {"class": css}
    if label is not None:
        td["data-label"] = label
    return {"th": {"class": css}, "td": td}


class InspectionTable(tables.Table):
    date = tables.DateColumn(verbose_name=_("督查日期"), format="Y-m-d", attrs=_td("date"))
    team = tables.Column(
        verbose_name=_("督查组"), order_by=("team__kind", "team__name"), attrs=_td("team")
    )
    kind = tables.Column(verbose_name=_("督查方式"), attrs=_td("kind"))
    street = tables.Column(
        verbose_name=_("街道"), default="—", order_by=("street__order",), attrs=_td("street")
    )
    # On a phone the counts stand without their headers: the label says what each number is.
    site_count = tables.Column(verbose_name=_("点位数"), attrs=_td("sites", _("点位"), num=True))
    problem_count = tables.Column(
        verbose_name=_("问题数"), attrs=_td("problems", _("问题"), num=True)
    )
    status = tables.Column(verbose_name=_("状态"), attrs=_td("status"))
    link = tables.Column(
        verbose_name=_("操作"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs=_td("link"),
    )
    # Shown in exports only.
    created_by = tables.Column(verbose_name=_("填报人"), visible=False)
    inspectors = tables.Column(verbose_name=_("督查人员"), accessor="pk", visible=False)
    summary = tables.Column(verbose_name=_("督查小结"), visible=False)
    submitted_at = tables.DateTimeColumn(
        verbose_name=_("提交时间"), format="Y-m-d H:i", visible=False
    )

    class Meta:
        model = Inspection
        fields = ()
        sequence = (
            "date",
            "team",
            "kind",
            "street",
            "site_count",
            "problem_count",
            "status",
            "link",
            "created_by",
            "inspectors",
            "summary",
            "submitted_at",
        )
        order_by = ("-date",)
        empty_text = _("没有符合条件的督查记录。")
        attrs = {"class": "table phone-cards", "id": "inspections-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def render_date(self, record):
        url = reverse("inspection_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record.date.strftime("%Y-%m-%d"))

    def render_status(self, record):
        return format_html(
            '<span class="badge inspection-{}">{}</span>',
            record.status,
            _(record.get_status_display()),
        )

    def value_status(self, record):
        return _(record.get_status_display())

    def render_kind(self, record):
        return _(record.get_kind_display())

    def value_kind(self, record):
        return _(record.get_kind_display())

    def render_link(self, record):
        """继续填写 only where the editor opens for this person: the author's own draft, or 代为填写
        for the secretariat on someone else's; everyone else (leaders, fellow inspectors) gets a
        read-only page and so 查看."""
        url = reverse("inspection_detail", args=[record.pk])
        user = getattr(getattr(self, "request", None), "user", None)
        if user is not None and can_edit_inspection(user, record):
            if record.created_by_id == user.pk:
                return format_html('<a href="{}" class="draft-link">{}</a>', url, _("继续填写"))
            return format_html('<a href="{}" class="draft-link">{}</a>', url, _("代为填写"))
        return format_html('<a href="{}">{}</a>', url, _("查看"))

    def render_inspectors(self, record):
        return "、".join(str(user) for user in record.inspectors.all())

    def value_inspectors(self, record):
        return self.render_inspectors(record)


class InspectionFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(
        label=_("只看我的"), method="filter_mine", widget=forms.CheckboxInput
    )
    team = django_filters.ModelChoiceFilter(
        label=_("督查组"), queryset=InspectionTeam.objects.none(), empty_label=_("全部督查组")
    )
    kind = django_filters.ChoiceFilter(
        label=_("督查方式"), choices=translated(Inspection.Kind.choices), empty_label=_("全部方式")
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道"), queryset=Unit.objects.none(), empty_label=_("全部街道")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=translated(Inspection.Status.choices), empty_label=_("全部状态")
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"),
        field_name="date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"),
        field_name="date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Inspection
        fields = ["mine", "team", "kind", "street", "status", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["team"].queryset = InspectionTeam.objects.order_by(
            "headquarters", "kind", "id"
        )
        self.filters["street"].queryset = Unit.objects.filter(
            kind=Unit.Kind.STREET, active=True
        ).order_by("headquarters", "order", "id")

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        user = self.request.user
        mine = Inspection.objects.filter(Q(created_by=user) | Q(inspectors=user)).values("pk")
        return queryset.filter(pk__in=mine)
