"""Tables of the 通报 pages: ``render_*`` draws a cell, ``value_*`` goes to exports."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civility.reports.links import link_for
from civility.reports.models import Report


def _cell(name: str, extra: str = "") -> dict:
    """Cell classes let the phone layout (app.css) turn each row into a card."""
    return {"td": {"class": f"col-{name} {extra}".strip()}}


class ReportTable(tables.Table):
    period = tables.Column(
        verbose_name=gettext_lazy("期间"), order_by=("period_start", "id"), attrs=_cell("period")
    )
    title = tables.Column(verbose_name=gettext_lazy("标题"), attrs=_cell("title", "wrap"))
    number = tables.Column(
        verbose_name=gettext_lazy("发文字号"), default="—", attrs=_cell("number")
    )
    status = tables.Column(verbose_name=gettext_lazy("状态"), attrs=_cell("status"))
    published_at = tables.Column(
        verbose_name=gettext_lazy("发布日期"), default="—", attrs=_cell("published")
    )
    read = tables.Column(
        verbose_name=gettext_lazy("阅读"), accessor="pk", orderable=False, attrs=_cell("read")
    )

    class Meta:
        model = Report
        fields = ()
        sequence = ("period", "title", "number", "status", "published_at", "read")
        per_page = 20  # as the view's paginate_by, also for ?per_page=0
        empty_text = gettext_lazy("暂无通报。")
        attrs = {"class": "table reports phone-cards", "id": "report-table"}
        row_attrs = {
            "data-pk": lambda record: record.pk,
            "data-status": lambda record: record.status,
        }

    def render_period(self, record):
        return format_html('<a href="{}">{}</a>', link_for(record), record.get_period().label)

    def value_period(self, record):
        return record.period

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', link_for(record), record.title)

    def value_title(self, record):
        return record.title

    def render_status(self, record):
        return format_html(
            '<span class="badge report-{}">{}</span>', record.status, record.get_status_display()
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_published_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d}"

    def value_published_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""

    def render_read(self, record):
        if record.status == Report.Status.DRAFT:
            return "—"
        if record.is_read:
            return format_html('<span class="badge report-read">{}</span>', _("已阅"))
        return format_html('<span class="badge report-unread">{}</span>', _("未阅"))

    def value_read(self, record):
        if record.status == Report.Status.DRAFT:
            return ""
        return _("已阅") if record.is_read else _("未阅")
