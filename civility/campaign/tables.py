"""Tables of the campaign's list pages: ``render_*`` draws a cell, ``value_*`` is what exports
hold (the filtered rows, exactly)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civility.campaign.models import Accountability, Honour


class AccountabilityTable(tables.Table):
    date = tables.DateColumn(verbose_name=gettext_lazy("决定日期"), format="Y-m-d")
    target = tables.Column(
        verbose_name=gettext_lazy("问责对象"),
        accessor="unit",
        order_by=("unit__kind", "unit__order", "person_name"),
    )
    measure = tables.Column(verbose_name=gettext_lazy("问责方式"))
    reason = tables.Column(verbose_name=gettext_lazy("问责事由"), attrs={"td": {"class": "wrap"}})
    links = tables.Column(
        verbose_name=gettext_lazy("相关问题与点评"),
        accessor="pk",
        orderable=False,
        attrs={"td": {"class": "wrap"}},
    )
    decided_by = tables.Column(verbose_name=gettext_lazy("决定人"))
    year = tables.Column(verbose_name=gettext_lazy("年度"), visible=False)

    class Meta:
        model = Accountability
        fields = ()
        sequence = ("date", "target", "measure", "reason", "links", "decided_by", "year")
        empty_text = gettext_lazy("没有问责记录。")
        attrs = {"class": "table", "id": "accountability-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def render_target(self, record):
        return record.target_label

    def value_target(self, record):
        return record.target_label

    def render_measure(self, record):
        return format_html(
            '<span class="badge measure-{}">{}</span>',
            record.measure,
            _(record.get_measure_display()),
        )

    def value_measure(self, record):
        return _(record.get_measure_display())

    def render_links(self, record):
        problems = format_html_join(
            "、",
            '<a href="{}">{}</a>',
            ((reverse("problem_detail", args=[p.number]), p.number) for p in record.problems.all()),
        )
        commentary = format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (reverse("commentary_detail", args=[c.pk]), c.title)
                for c in record.commentaries.all()
            ),
        )
        veto = _("一票否决（%(year)s年）") % {"year": record.veto.year} if record.veto_id else ""
        parts = [part for part in (problems, commentary, veto) if part]
        return (
            format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) if parts else "—"
        )

    def value_links(self, record):
        parts = [p.number for p in record.problems.all()]
        parts += [c.title for c in record.commentaries.all()]
        if record.veto_id:
            parts.append(_("一票否决（%(year)s年）") % {"year": record.veto.year})
        return "；".join(parts)

    def value_decided_by(self, record):
        return str(record.decided_by)


class HonourTable(tables.Table):
    unit = tables.Column(
        verbose_name=gettext_lazy("单位"), order_by=("unit__kind", "unit__order", "unit_id")
    )
    title = tables.Column(
        verbose_name=gettext_lazy("荣誉称号"), accessor="pk", order_by=("kind", "level")
    )
    level = tables.Column(verbose_name=gettext_lazy("级别"))
    year_awarded = tables.Column(verbose_name=gettext_lazy("授予年度"))
    status = tables.Column(verbose_name=gettext_lazy("状态"))
    history = tables.Column(verbose_name=gettext_lazy("变更记录"), accessor="pk", orderable=False)
    awarded_by = tables.Column(verbose_name=gettext_lazy("授予机关"), visible=False)

    class Meta:
        model = Honour
        fields = ()
        sequence = ("unit", "title", "level", "year_awarded", "status", "history", "awarded_by")
        empty_text = gettext_lazy("没有荣誉称号。")
        attrs = {"class": "table", "id": "honours-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def __init__(self, *args, can_manage=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_manage = can_manage

    def render_unit(self, record):
        return record.unit.name

    def value_unit(self, record):
        return record.unit.name

    def render_title(self, record):
        return record.display_title

    def value_title(self, record):
        return record.display_title

    def render_level(self, record):
        return _(record.get_level_display())

    def value_level(self, record):
        return _(record.get_level_display())

    def render_status(self, record):
        badge = format_html(
            '<span class="badge honour-status-{}">{}</span>',
            record.status,
            _(record.get_status_display()),
        )
        if not self.can_manage:
            return badge
        url = reverse("honour_status", args=[record.pk])
        return format_html(
            '{} <a href="{}" hx-get="{}" hx-target="#modal .modal-body" class="small-link">{}</a>',
            badge,
            url,
            url,
            _("变更"),
        )

    def value_status(self, record):
        return _(record.get_status_display())

    def render_history(self, record):
        """The last two changes, each reason cut short (the export has them all in full)."""
        changes = list(record.changes.all())
        return format_html_join(
            mark_safe("<br>"),
            '<span class="muted">{}</span> {}：<span title="{}">{}</span>',
            (
                (
                    f"{c.at:%Y-%m-%d}",
                    _(c.get_to_status_display()),
                    c.reason,
                    Truncator(c.reason).chars(24),
                )
                for c in changes[-2:]
            ),
        )

    def value_history(self, record):
        return "；".join(
            f"{c.at:%Y-%m-%d} {_(c.get_to_status_display())}：{c.reason}"
            for c in record.changes.all()
        )
