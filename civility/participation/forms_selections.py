"""Forms of the 典型评选 pages: a new selection, a unit's nomination, the review, the 公示."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import Unit
from civility.participation.models import Nomination, Selection
from civility.supervision.inspections.forms import DateInput, new_token
from civility.supervision.photos import PhotosField
from civility.supervision.problems.forms import grouped_unit_choices

PUBLICITY_DAYS = 7  # the 公示 the form proposes: a week from today


class SelectionForm(forms.ModelForm):
    class Meta:
        model = Selection
        fields = ["kind", "year", "title", "quota", "criteria", "nomination_deadline"]
        widgets = {
            "nomination_deadline": DateInput(),
            "criteria": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "title": {"required": _("请填写评选名称。")},
            "quota": {"required": _("请填写名额。")},
            "criteria": {"required": _("请填写评选条件。")},
            "year": {"required": _("请填写年度。")},
            "kind": {"required": _("请选择评选类别。")},
        }

    def __init__(self, *args, hq, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.instance.headquarters = hq
        self.fields["year"].widget.attrs.update(min=2000, max=timezone.localdate().year + 1)
        self.fields["quota"].widget.attrs.update(min=1, max=100)

    def clean_quota(self):
        quota = self.cleaned_data["quota"]
        if not 1 <= quota <= 100:
            raise forms.ValidationError(_("名额应在 1 到 100 之间。"))
        return quota

    def clean(self):
        cleaned = super().clean()
        kind, year = cleaned.get("kind"), cleaned.get("year")
        if (
            kind
            and year
            and Selection.objects.filter(
                headquarters=self.instance.headquarters, kind=kind, year=year
            ).exists()
        ):
            self.add_error("kind", _("该年度已有同类评选。"))
        return cleaned


class NominationForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("推荐单位"), coerce=int)
    nominee_kind = forms.ChoiceField(
        label=_("推荐对象类型"), choices=Nomination.NomineeKind.choices
    )
    nominee = forms.CharField(
        label=_("推荐对象"),
        max_length=100,
        error_messages={"required": _("请填写推荐对象。")},
        widget=forms.TextInput(attrs={"placeholder": _("单位、小区、个人、家庭或项目的名称")}),
    )
    nominee_unit = forms.TypedChoiceField(
        label=_("对应单位/小区"), coerce=int, required=False, empty_value=None
    )
    materials = forms.CharField(
        label=_("推荐材料（主要事迹）"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写推荐材料（主要事迹）。")},
    )
    photos = PhotosField(label=_("照片"), required=False, max_count=6)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, selection: Selection, units, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_token", new_token())
        super().__init__(*args, **kwargs)
        self.units = units
        self.all_units = Unit.objects.filter(headquarters=selection.headquarters_id, active=True)
        unit_list = list(units)
        self.fields["unit"].choices = [(u.pk, u.name) for u in unit_list]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk
        self.fields["nominee_unit"].choices = grouped_unit_choices(
            self.all_units, _("不对应登记单位")
        )
        self.fields["nominee_unit"].help_text = _(
            "推荐对象是登记在册的单位或小区时选择，当选后荣誉记在该单位名下。"
        )

    def nominate_kwargs(self) -> dict:
        data = self.cleaned_data
        nominee_unit = data.get("nominee_unit")
        return {
            "unit": self.units.get(pk=data["unit"]),
            "nominee_kind": data["nominee_kind"],
            "nominee": data["nominee"],
            "nominee_unit": self.all_units.get(pk=nominee_unit) if nominee_unit else None,
            "materials": data["materials"],
            "photos": data.get("photos") or [],
            "client_token": data.get("client_token"),
        }


class ReviewForm(forms.Form):
    """Score, 入围 and a note for every nomination of the selection."""

    def __init__(self, *args, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominations = list(nominations)
        for n in self.nominations:
            self.fields[f"score_{n.pk}"] = forms.DecimalField(
                label=_("得分"),
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=1,
                initial=n.score,
                widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            )
            self.fields[f"shortlisted_{n.pk}"] = forms.BooleanField(
                label=_("入围"), required=False, initial=n.shortlisted
            )
            self.fields[f"note_{n.pk}"] = forms.CharField(
                label=_("评审意见"), required=False, max_length=300, initial=n.review_note
            )

    def rows(self):
        return [
            (n, self[f"score_{n.pk}"], self[f"shortlisted_{n.pk}"], self[f"note_{n.pk}"])
            for n in self.nominations
        ]

    def clean(self):
        cleaned = super().clean()
        for n in self.nominations:
            if cleaned.get(f"shortlisted_{n.pk}") and cleaned.get(f"score_{n.pk}") is None:
                self.add_error(f"score_{n.pk}", _("入围对象请填写得分。"))
        return cleaned

    def marks(self) -> dict:
        data = self.cleaned_data
        return {
            n.pk: (data[f"score_{n.pk}"], data[f"shortlisted_{n.pk}"], data[f"note_{n.pk}"])
            for n in self.nominations
        }


class PublicityForm(forms.Form):
    start = forms.DateField(
        label=_("公示开始"),
        widget=DateInput(),
        error_messages={"required": _("请填写公示开始日期。"), "invalid": _("请填写有效的日期。")},
    )
    end = forms.DateField(
        label=_("公示结束"),
        widget=DateInput(),
        error_messages={"required": _("请填写公示结束日期。"), "invalid": _("请填写有效的日期。")},
    )

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"start": today, "end": today + timedelta(days=PUBLICITY_DAYS)}
        )
        super().__init__(*args, **kwargs)
