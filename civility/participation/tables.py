"""Tables of the participation pages: ``render_*`` draws a cell, ``value_*`` goes to exports."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civility.participation.models import Activity, Suggestion


def _td(name: str, label: str = "") -> dict:
    """Cell classes let the phone layout (participation.css) place each cell on a card."""
    td = {"class": f"col-{name}"}
    if label:
        td["data-label"] = label
    return {"td": td, "th": {"class": f"col-{name}"}}


class SuggestionTable(tables.Table):
    number = tables.Column(verbose_name=_("编号"), attrs=_td("number"))
    submitted_at = tables.Column(verbose_name=_("提交时间"), attrs=_td("submitted"))
    author = tables.Column(
        verbose_name=_("提出人"), order_by=("author__name",), attrs=_td("author")
    )
    category = tables.Column(verbose_name=_("类别"), attrs=_td("category"))
    text = tables.Column(verbose_name=_("建议内容"), orderable=False, attrs=_td("text"))
    status = tables.Column(verbose_name=_("状态"), attrs=_td("status"))
    unit = tables.Column(
        verbose_name=_("答复单位"),
        order_by=("unit__kind", "unit__order"),
        default="—",
        attrs=_td("unit"),
    )
    reply_deadline = tables.DateColumn(
        verbose_name=_("答复期限"), format="Y-m-d", default="—", attrs=_td("deadline", _("期限"))
    )
    rating = tables.Column(verbose_name=_("评价"), default="—", attrs=_td("rating"))
    # Exports only.
    site = tables.Column(verbose_name=_("点位"), visible=False, default="")
    place = tables.Column(verbose_name=_("地点"), visible=False, default="")
    problems = tables.Column(verbose_name=_("转办问题"), accessor="pk", visible=False)
    reply = tables.Column(verbose_name=_("答复内容"), visible=False, default="")
    replied_at = tables.Column(verbose_name=_("答复时间"), visible=False, default="")
    closed_at = tables.Column(verbose_name=_("办结时间"), visible=False, default="")

    class Meta:
        model = Suggestion
        fields = ()
        sequence = (
            "number",
            "submitted_at",
            "author",
            "category",
            "text",
            "status",
            "unit",
            "reply_deadline",
            "rating",
            "site",
            "place",
            "problems",
            "reply",
            "replied_at",
            "closed_at",
        )
        empty_text = _("没有符合条件的建议。")
        attrs = {"class": "table suggestions", "id": "suggestions-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def render_number(self, record):
        url = reverse("suggestion_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record.number)

    def value_number(self, record):
        return record.number

    def value_category(self, record):
        return str(record.get_category_display())

    def render_submitted_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def value_submitted_at(self, value):
        return self.render_submitted_at(value)

    def render_text(self, record):
        url = reverse("suggestion_detail", args=[record.pk])
        return format_html('<a class="excerpt" href="{}">{}</a>', url, record.excerpt)

    def value_text(self, record):
        return record.text

    def render_category(self, record):
        return record.get_category_display()

    def render_status(self, record):
        overdue = (
            format_html(' <span class="badge due-overdue">{}</span>', _("逾期"))
            if (record.reply_overdue)
            else ""
        )
        return format_html(
            '<span class="badge suggestion-{}">{}</span>{}',
            record.status,
            record.get_status_display(),
            overdue,
        )

    def value_status(self, record):
        return str(record.get_status_display())

    def render_rating(self, record):
        return format_html(
            '<span class="badge rating-{}">{}</span>', record.rating, record.get_rating_display()
        )

    def value_rating(self, record):
        return str(record.get_rating_display())

    def value_unit(self, record):
        return record.unit.name if record.unit_id else ""

    def value_site(self, record):
        return record.site.name if record.site_id else ""

    def value_problems(self, record):
        return "、".join(p.number for p in record.problems.all())

    def value_replied_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def value_closed_at(self, value):
        return self.value_replied_at(value)


class ActivityTable(tables.Table):
    date = tables.DateColumn(verbose_name=_("日期"), format="Y-m-d", attrs=_td("date"))
    title = tables.Column(verbose_name=_("活动名称"), attrs=_td("title"))
    series = tables.Column(
        verbose_name=_("活动系列"), order_by=("series__order", "series_id"), attrs=_td("series")
    )
    organiser = tables.Column(
        verbose_name=_("组织单位"),
        order_by=("organiser__kind", "organiser__order"),
        attrs=_td("unit"),
    )
    place = tables.Column(verbose_name=_("地点"), attrs=_td("place"))
    participants = tables.Column(
        verbose_name=_("参与人数"),
        attrs={"td": {"class": "num col-participants", "data-label": _("参与")}},
    )
    volunteers = tables.Column(
        verbose_name=_("志愿者"),
        attrs={"td": {"class": "num col-volunteers", "data-label": _("志愿者")}},
    )
    volunteer_hours = tables.Column(
        verbose_name=_("服务时长"),
        attrs={"td": {"class": "num col-hours", "data-label": _("时长")}},
    )
    # Exports only.
    drive = tables.Column(verbose_name=_("配合专项行动"), visible=False, default="")
    description = tables.Column(verbose_name=_("活动内容"), visible=False, default="")

    class Meta:
        model = Activity
        fields = ()
        sequence = (
            "date",
            "title",
            "series",
            "organiser",
            "place",
            "participants",
            "volunteers",
            "volunteer_hours",
            "drive",
            "description",
        )
        empty_text = _("没有符合条件的活动。")
        attrs = {"class": "table activities", "id": "activities-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def render_title(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("activity_detail", args=[record.pk]), record.title
        )

    def value_title(self, record):
        return record.title

    def value_series(self, record):
        return record.series.name

    def value_organiser(self, record):
        return record.organiser.name

    def value_drive(self, record):
        return record.drive.name if record.drive_id else ""

    def value_volunteer_hours(self, value):
        return float(value)
