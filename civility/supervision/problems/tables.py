"""Tables of the supervision pages: ``render_*`` draws a cell, ``value_*`` is what exports hold."""

from urllib.parse import quote

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civility.core.tables import PythonRowsMixin
from civility.supervision.problems.models import Problem

BULK_FORM_ID = "bulk-assign"
URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC 3986 sub-delims and more)


def _local(value, fmt="%Y-%m-%d %H:%M", zone=None) -> str:
    """``zone``: the current time zone, read once per table rather than per cell."""
    return timezone.localtime(value, zone).strftime(fmt) if value else ""


class SelectColumn(tables.Column):
    """Tick boxes for 批量交办, only on 待交办 rows; tied to the bulk form by its id."""

    empty_values = ()

    @property
    def header(self):
        return format_html(
            '<input type="checkbox" data-check-all="{}" aria-label="{}">',
            BULK_FORM_ID,
            _("全选待交办"),
        )

    def render(self, record):
        if record.status != Problem.Status.REPORTED:
            return ""
        return format_html(
            '<input type="checkbox" name="problems" value="{}" form="{}" aria-label="{}">',
            record.pk,
            BULK_FORM_ID,
            _("选择 %(number)s") % {"number": record.number},
        )


def _td(name: str, label: str = "") -> dict:
    """Cell classes let the phone layout (app.css) place each cell on a card."""
    td = {"class": f"col-{name}"}
    if label:
        td["data-label"] = label
    return {"td": td}


# The fields the table shows, exports and sorts on (with the list's select_related): a 10,000-row
# export builds 50,000 model instances, and each costs what its loaded fields cost.
READS = (
    "number", "source", "site_id", "category_id", "description", "primary_unit_id", "deadline",
    "deduction", "escalation_level", "rework_count", "status", "reported_at", "closed_at",
    "site__name", "site__street_id", "site__street__name", "category__name", "category__order",
    "primary_unit__name", "primary_unit__kind", "primary_unit__order",
)  # fmt: skip


class ProblemTable(PythonRowsMixin, tables.Table):
    select = SelectColumn(
        verbose_name="",
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={"th": {"class": "col-select"}, "td": {"class": "col-select"}},
    )
    number = tables.Column(verbose_name=_("编号"), attrs=_td("number"))
    site = tables.Column(verbose_name=_("点位"), order_by=("site__name",), attrs=_td("site"))
    category = tables.Column(
        verbose_name=_("类别"), order_by=("category__order", "category_id"), attrs=_td("category")
    )
    primary_unit = tables.Column(
        verbose_name=_("主责单位"),
        order_by=("primary_unit__kind", "primary_unit__order"),
        default="—",
        attrs=_td("unit"),
    )
    status = tables.Column(verbose_name=_("状态"), attrs=_td("status"))
    deadline = tables.Column(verbose_name=_("期限"), default="—", attrs=_td("deadline", _("期限")))
    reported_at = tables.Column(verbose_name=_("上报时间"), attrs=_td("reported", _("上报")))
    # Exports only.
    due_state = tables.Column(verbose_name=_("期限状态"), accessor="pk", visible=False)
    street = tables.Column(verbose_name=_("街道"), accessor="site__street", visible=False)
    description = tables.Column(verbose_name=_("问题描述"), visible=False)
    source = tables.Column(verbose_name=_("来源"), visible=False)
    deduction = tables.Column(verbose_name=_("扣分"), accessor="pk", visible=False)
    escalation_level = tables.Column(verbose_name=_("督办次数"), visible=False)
    rework_count = tables.Column(verbose_name=_("退回次数"), visible=False)
    closed_at = tables.Column(verbose_name=_("销号时间"), visible=False, default="")

    class Meta:
        model = Problem
        fields = ()
        sequence = (
            "select",
            "number",
            "site",
            "category",
            "primary_unit",
            "status",
            "deadline",
            "reported_at",
            "due_state",
            "street",
            "description",
            "source",
            "deduction",
            "escalation_level",
            "rework_count",
            "closed_at",
        )
        empty_text = _("没有符合条件的问题。")
        attrs = {"class": "table problems phone-cards", "id": "problems-table"}
        row_attrs = {"data-number": lambda record: record.number}

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        # get_status_display() hashes and translates every choice for every row (exports).
        self.status_labels = {value: str(label) for value, label in Problem.Status.choices}
        # What does not change from row to row, worked out once per table.
        self.due_labels = {state: str(state.label) for state in Problem.DueState}
        self.zone = timezone.get_current_timezone()
        self.detail_prefix = reverse("problem_detail", args=["0"])[:-2]

    def local(self, value, fmt="%Y-%m-%d %H:%M") -> str:
        return _local(value, fmt, self.zone)

    def render_number(self, record):
        # reverse() per row, without its pattern matching: problem numbers are URL-safe.
        url = f"{self.detail_prefix}{quote(record.number, safe=URL_SAFE)}/"
        return format_html('<a href="{}" class="number">{}</a>', url, record.number)

    def value_number(self, record):
        return record.number

    def render_site(self, record):
        return format_html(
            '{} <small class="muted site-street">{}</small>',
            record.site.name,
            record.site.street.name,
        )

    def value_site(self, record):
        return record.site.name

    def render_status(self, record):
        return format_html(
            '<span class="badge status-{}">{}</span>',
            record.status,
            self.status_labels.get(record.status, record.status),
        )

    def value_status(self, record):
        return self.status_labels.get(record.status, record.status)

    def render_deadline(self, record):
        state = record.due_state(self.now)
        if record.deadline is None:
            return "—"
        badge = ""
        if state != Problem.DueState.NONE:
            badge = format_html(
                ' <span class="badge due-{}">{}</span>', state.value, self.due_labels[state]
            )
        return format_html("{}{}", self.local(record.deadline, "%m-%d %H:%M"), badge)

    def value_deadline(self, record):
        return self.local(record.deadline)

    def render_reported_at(self, record):
        return self.local(record.reported_at)

    def value_reported_at(self, record):
        return self.local(record.reported_at)

    def value_due_state(self, record):
        state = record.due_state(self.now)
        return "" if state == Problem.DueState.NONE else self.due_labels[state]

    def value_street(self, record):
        return record.site.street.name

    def value_deduction(self, record):
        return record.effective_deduction  # a number in the spreadsheet

    def value_closed_at(self, record):
        return self.local(record.closed_at)

    def value_primary_unit(self, record):
        return record.primary_unit.name if record.primary_unit_id else ""
