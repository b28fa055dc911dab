"""Forms and list filters of 点评 (commentary). They validate input; the writes are services."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civility.core.choice_labels import translated
from civility.org.models import Site, Unit
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.services import default_reply_days, reply_overdue_q
from civility.supervision.inspections.models import Inspection
from civility.supervision.inspections.permissions import inspections_visible_to
from civility.supervision.photos import MAX_PHOTOS, PhotosField
from civility.supervision.problems.permissions import problems_visible_to

RECENT_INSPECTION_DAYS = 180


class CommentaryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("点评方式"),
        choices=translated(Commentary.Kind.choices),
        initial=Commentary.Kind.WRITTEN,
        widget=forms.RadioSelect,
    )
    tone = forms.ChoiceField(
        label=_("性质"), choices=translated(Commentary.Tone.choices), widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("点评日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    text = forms.CharField(label=_("点评内容"), widget=forms.Textarea(attrs={"rows": 6}))
    units = forms.ModelMultipleChoiceField(
        label=_("被点评单位"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个被点评单位。")},
    )
    inspection = forms.ModelChoiceField(
        label=_("相关督查"),
        queryset=Inspection.objects.none(),
        required=False,
        empty_label=_("（无）"),
    )
    site = forms.ModelChoiceField(
        label=_("相关点位"), queryset=Site.objects.none(), required=False, empty_label=_("（无）")
    )
    problems = forms.CharField(
        label=_("相关问题编号"),
        required=False,
        help_text=_("多个编号用逗号分隔，如 HL-2008-000123, HL-2008-000124"),
        widget=forms.TextInput(attrs={"placeholder": "HL-2008-000123, …", "autocomplete": "off"}),
    )
    photos = PhotosField(
        label=_("照片"),
        required=False,
        camera=False,
        help_text=format_lazy(_("可选，最多 {n} 张"), n=MAX_PHOTOS),
    )
    reply_days = forms.IntegerField(
        label=_("回复期限（天）"),
        min_value=1,
        max_value=60,
        help_text=_("书面批评的单位须在点评日期后此天数内回复整改措施"),
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, headquarters, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.headquarters = headquarters
        today = timezone.localdate()
        self.fields["date"].initial = today
        self.fields["reply_days"].initial = default_reply_days()
        self.fields["client_token"].initial = uuid.uuid4()
        self.fields["units"].queryset = (
            Unit.objects.filter(headquarters=headquarters, active=True)
            .select_related("parent")
            .order_by("kind", "order", "id")
        )
        self.fields["inspection"].queryset = (
            inspections_visible_to(user)
            .filter(
                headquarters=headquarters,
                status=Inspection.Status.SUBMITTED,
                date__gte=today - timedelta(days=RECENT_INSPECTION_DAYS),
            )
            .select_related("team")
            .order_by("-date", "-id")
        )
        self.fields["site"].queryset = Site.objects.filter(
            headquarters=headquarters, active=True
        ).select_related("street")

    def unit_groups(self) -> list[dict]:
        """The unit checkboxes grouped for the picker: streets, departments, then each street's
        communities, then the remaining kinds. Streets and departments (the usual targets) and
        any group with a ticked unit start open."""
        kinds = Unit.Kind
        rank = {
            kinds.STREET: 0,
            kinds.DEPARTMENT: 1,
            kinds.COMMUNITY: 2,
            kinds.STATIONED: 3,
            kinds.OTHER: 4,
        }
        groups: dict[tuple, dict] = {}
        for option in self["units"]:
            unit = option.data["value"].instance
            if unit.kind == kinds.COMMUNITY:
                key = (rank[unit.kind], unit.parent.order, unit.parent_id)
                label = _("%(street)s所辖社区") % {"street": unit.parent.name}
            else:
                key, label = (rank.get(unit.kind, 9), 0, 0), _(unit.get_kind_display())
            group = groups.setdefault(
                key,
                {
                    "label": label,
                    "options": [],
                    "selected": 0,
                    "open": unit.kind in (kinds.STREET, kinds.DEPARTMENT),
                },
            )
            group["options"].append(option)
            if option.data["selected"]:
                group["selected"] += 1
                group["open"] = True
        return [groups[key] for key in sorted(groups)]

    def clean_problems(self):
        raw = self.cleaned_data.get("problems", "")
        numbers = list(dict.fromkeys(n.upper() for n in re.split(r"[\s,，、;；]+", raw) if n))
        if not numbers:
            return []
        found = list(
            problems_visible_to(self.user).filter(
                headquarters=self.headquarters, number__in=numbers
            )
        )
        missing = sorted(set(numbers) - {p.number for p in found})
        if missing:
            raise ValidationError(
                _("找不到以下问题编号（或无权查看）：%(numbers)s") % {"numbers": "、".join(missing)}
            )
        return found

    def clean_date(self):
        # A commentary records what was said; a date in the future is a typo (and one near
        # 9999-12-31 made the reply deadline overflow, breaking the list for everyone).
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError(_("点评日期不能晚于今天。"))
        return value

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("请填写点评标题。"))
        return title

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("请填写点评内容。"))
        return text


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("回复整改措施"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写整改措施。")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_reply(self):
        reply = self.cleaned_data["reply"].strip()
        if not reply:
            raise ValidationError(_("请填写整改措施。"))
        return reply


class CommentaryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("点评方式"), choices=translated(Commentary.Kind.choices), empty_label=_("全部方式")
    )
    tone = django_filters.ChoiceFilter(
        label=_("性质"), choices=translated(Commentary.Tone.choices), empty_label=_("全部性质")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("被点评单位"),
        queryset=Unit.objects.none(),
        method="filter_unit",
        empty_label=_("全部单位"),
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
    overdue = django_filters.BooleanFilter(
        label=_("回复逾期"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("全部")), ("true", _("仅回复逾期"))]),
    )

    class Meta:
        model = Commentary
        fields = ["kind", "tone", "unit", "date_from", "date_to", "overdue"]

    def __init__(self, *args, units=None, receipts=None, reply_days=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.none()
        self.filters["unit"].queryset = units.order_by("kind", "order", "id")
        self.receipts = receipts if receipts is not None else CommentaryReceipt.objects.none()
        self.reply_days = reply_days

    def filter_unit(self, queryset, name, value):
        return queryset.filter(
            pk__in=CommentaryReceipt.objects.filter(unit=value).values("commentary_id")
        )

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        overdue = self.receipts.filter(reply_overdue_q(timezone.localdate(), self.reply_days))
        return queryset.filter(pk__in=overdue.values("commentary_id"))
