"""Forms of the campaign pages: they parse and check; ``accountability`` and ``honours`` decide
and write."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.campaign.models import Accountability, Honour
from civility.org.models import Unit
from civility.reports.models import Veto
from civility.supervision.commentary.models import Commentary
from civility.supervision.problems.models import Problem

NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccountabilityForm(forms.Form):
    """记录问责: against a unit, or a named person of a unit."""

    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.none(),
        empty_label=_("请选择单位"),
        error_messages={"required": _("请选择单位。"), "invalid_choice": _("请选择有效的单位。")},
    )
    person_name = forms.CharField(
        label=_("被问责人"),
        required=False,
        max_length=50,
        help_text=_("对个人问责时填写姓名；对单位问责时留空。"),
    )
    person_title = forms.CharField(label=_("职务"), required=False, max_length=100)
    measure = forms.ChoiceField(
        label=_("问责方式"),
        choices=Accountability.Measure.choices,
        error_messages={"required": _("请选择问责方式。")},
    )
    reason = forms.CharField(
        label=_("问责事由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("请填写问责事由。")},
    )
    date = forms.DateField(
        label=_("决定日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写决定日期。"), "invalid": _("请填写有效的日期。")},
    )
    problem_numbers = forms.CharField(
        label=_("相关问题编号"),
        required=False,
        max_length=1000,
        help_text=_("多个编号用逗号或空格分隔，例如 HL-2026-000123。"),
    )
    commentaries = forms.ModelMultipleChoiceField(
        label=_("相关点评"),
        queryset=Commentary.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    veto = forms.ModelChoiceField(
        label=_("相关一票否决"), queryset=Veto.objects.none(), required=False, empty_label=_("无")
    )
    suggestion = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, hq, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.hq = hq
        self.fields["unit"].queryset = Unit.objects.filter(headquarters=hq, active=True).order_by(
            "kind", "order", "id"
        )
        since = timezone.localdate() - timedelta(days=400)
        chosen = [int(pk) for pk in self.initial.get("commentaries", [])]
        self.fields["commentaries"].queryset = (
            Commentary.objects.filter(headquarters=hq)
            .filter(Q(date__gte=since, tone=Commentary.Tone.CRITICISM) | Q(pk__in=chosen))
            .order_by("-date", "-id")
        )
        self.fields["veto"].queryset = Veto.objects.filter(headquarters=hq).select_related("unit")

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("决定日期不能晚于今天。"))
        return value

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("请填写问责事由。"))
        return value

    def clean_problem_numbers(self):
        numbers = [n for n in NUMBER_SPLIT.split(self.cleaned_data["problem_numbers"]) if n]
        found = {
            p.number: p
            for p in Problem.objects.filter(
                headquarters=self.hq, number__in=[n.upper() for n in numbers]
            )
        }
        missing = [n for n in numbers if n.upper() not in found]
        if missing:
            raise forms.ValidationError(
                _("没有这些问题编号：%(numbers)s") % {"numbers": "、".join(missing)}
            )
        return list(found.values())

    def clean(self):
        cleaned = super().clean()
        unit, veto = cleaned.get("unit"), cleaned.get("veto")
        if unit and veto and veto.unit_id != unit.pk:
            self.add_error("veto", _("所选一票否决不是该单位的。"))
        if cleaned.get("person_title") and not cleaned.get("person_name"):
            self.add_error("person_name", _("填写了职务，请同时填写被问责人姓名。"))
        return cleaned


class DismissForm(forms.Form):
    """不予问责, with the reason."""

    note = forms.CharField(
        label=_("不予问责理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("请填写不予问责的理由。")},
    )
    suggestion = forms.CharField(widget=forms.HiddenInput)

    def clean_note(self):
        value = self.cleaned_data["note"].strip()
        if not value:
            raise forms.ValidationError(_("请填写不予问责的理由。"))
        return value


class HonourStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=Honour.Status.choices)
    reason = forms.CharField(
        label=_("变更理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("请填写变更理由。")},
    )

    def __init__(self, *args, honour: Honour, **kwargs):
        super().__init__(*args, **kwargs)
        self.honour = honour
        self.fields["status"].choices = [
            (value, label) for value, label in Honour.Status.choices if value != honour.status
        ]

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("请填写变更理由。"))
        return value


class ReviewDecisionForm(forms.Form):
    honour = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("dismiss", _("不予采纳"))])
    note = forms.CharField(
        label=_("意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
