"""Forms of the 通报 and 考评 pages: the draft's texts, picking a period to compile, the list
filter, recording a 一票否决."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Headquarters, Unit
from civility.reports import compile as reports
from civility.reports.models import Report, Veto

NARRATIVE_KEYS = {
    Report.Kind.MONTHLY: ("overview", "work", "problems", "requirements", "copy_to"),
    Report.Kind.WEEKLY: ("overview",),
}


class ReportTextForm(forms.Form):
    """标题, 主送 and the narrative sections of a draft (numbers are never edited by hand)."""

    title = forms.CharField(label=_("标题"), max_length=200)
    addressees = forms.CharField(label=_("主送"), max_length=200)
    overview = forms.CharField(
        label=_("一、总体情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("可在自动生成的文字基础上修改；表格中的数字不随文字改变。"),
    )
    work = forms.CharField(
        label=_("督查工作和领导点评"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    requirements = forms.CharField(
        label=_("整改要求和下一步工作"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("已按本月数据和上月通报预先填写，可直接修改；每行一段。"),
    )
    copy_to = forms.CharField(
        label=_("版记：抄送"),
        max_length=300,
        required=False,
        help_text=_("留空则用指挥部设置的抄送机关。"),
    )

    def __init__(self, *args, report: Report, **kwargs):
        self.report = report
        content = report.content
        initial = {
            "title": report.title,
            "addressees": report.addressees,
            **{key: content["narrative"].get(key, "") for key in NARRATIVE_KEYS[report.kind]},
        }
        if report.kind == Report.Kind.MONTHLY and not initial["copy_to"]:
            initial["copy_to"] = report.headquarters.copy_to
        super().__init__(*args, initial=initial, **kwargs)
        if report.kind == Report.Kind.WEEKLY:
            for key in ("work", "problems", "requirements", "copy_to"):
                del self.fields[key]
        self.fields["overview"].label = _("总体情况")

    def narrative(self) -> dict:
        """The report's narrative with this form's sections replaced (other keys kept)."""
        merged = dict(self.report.narrative)
        for key in NARRATIVE_KEYS[self.report.kind]:
            merged[key] = self.cleaned_data[key].strip()
        return merged


class CompileForm(forms.Form):
    """生成草稿 for any period: the kind, the period, and (when there are several) the
    headquarters."""

    kind = forms.ChoiceField(label=_("类型"), choices=Report.Kind.choices)
    period = forms.CharField(
        label=_("期间"),
        max_length=10,
        help_text=_("月报如 2026-03，周报如 2026-W11"),
        error_messages={"required": _("请填写期间。")},
        widget=forms.TextInput(attrs={"placeholder": "2026-03", "autocomplete": "off"}),
    )
    hq = forms.ModelChoiceField(
        label=_("指挥部"), queryset=Headquarters.objects.order_by("id"), required=False
    )

    def __init__(self, *args, headquarters_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if headquarters_choices is not None and len(headquarters_choices) < 2:
            self.fields["hq"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        kind, period = cleaned.get("kind"), (cleaned.get("period") or "").strip()
        if not kind or not period:
            return cleaned
        try:
            period = reports.report_period(kind, period)
        except ValueError:
            example = "2026-03" if kind == Report.Kind.MONTHLY else "2026-W11"
            self.add_error("period", _("期间格式不正确，例如 %(example)s。") % {"example": example})
            return cleaned
        if period.first > timezone.localdate():
            self.add_error("period", _("该期间尚未开始，不能生成通报。"))
        cleaned["period"] = period
        return cleaned


READ_CHOICES = (("unread", _("未阅")), ("read", _("已阅")))


class ReportFilter(django_filters.FilterSet):
    # Bounded: a year outside 1..9999 made the __year lookup raise (500) instead of matching none.
    year = django_filters.NumberFilter(
        field_name="period_start__year", label=_("年度"), min_value=1, max_value=9999
    )
    status = django_filters.ChoiceFilter(
        choices=Report.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    read = django_filters.ChoiceFilter(
        choices=READ_CHOICES, label=_("阅读"), empty_label=_("全部"), method="filter_read"
    )

    class Meta:
        model = Report
        fields = ("year", "status", "read")

    def filter_read(self, queryset, name, value):
        # is_read is annotated by the view; drafts are neither read nor unread.
        published = queryset.exclude(status=Report.Status.DRAFT)
        return published.filter(is_read=(value == "read"))


class VetoForm(forms.ModelForm):
    """记录一票否决: a 文明委成员单位 of the headquarters, the year and the reason (one per unit
    and year)."""

    class Meta:
        model = Veto
        fields = ["unit", "year", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "unit": {"required": _("请选择单位。")},
            "year": {"required": _("请填写年度。")},
            "reason": {"required": _("请填写否决理由。")},
        }

    def __init__(self, *args, headquarters, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.headquarters = headquarters
        self.today = today
        self.fields["unit"].queryset = Unit.objects.filter(
            headquarters=headquarters, is_committee_member=True, active=True
        ).order_by("kind", "order", "id")
        self.fields["unit"].empty_label = _("请选择文明委成员单位")
        self.fields["unit"].help_text = _("只能对文明委成员单位实行一票否决。")
        self.fields["year"].initial = today.year
        self.fields["year"].widget.attrs.update({"min": 2000, "max": today.year + 1})

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("请填写否决理由。"))
        return reason

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= self.today.year + 1:
            raise forms.ValidationError(_("年度不正确。"))
        return year

    def clean(self):
        cleaned = super().clean()
        unit, year = cleaned.get("unit"), cleaned.get("year")
        if unit and year and Veto.objects.filter(unit=unit, year=year).exists():
            raise forms.ValidationError(
                _("%(unit)s%(year)s年已有一票否决记录，不能重复记录。")
                % {"unit": unit.name, "year": year}
            )
        return cleaned

    def validate_constraints(self, exclude=None):
        # The duplicate check above says it in plain Chinese; the model's own constraint messages
        # would repeat it in generic words.
        return None
