"""Forms of the inspection pages (督查): open a draft, and add one problem at a time from a phone.

The forms only parse and check what the inspector typed or photographed; the services and the
workflow decide and write. Every form carries a hidden ``client_token`` (a UUID made when the form
is rendered) so that a double-tapped or re-sent submit creates one record.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.choice_labels import translated
from civility.org.models import ProblemCategory, Unit
from civility.supervision.inspections.models import Inspection
from civility.supervision.photos import PhotosField

COORDINATE_PLACES = Decimal("0.000001")


def new_token() -> str:
    return str(uuid.uuid4())


def token_from(data) -> uuid.UUID | None:
    """The client_token of a submitted form, or None when it is missing or malformed."""
    try:
        return uuid.UUID(str(data.get("client_token", "")))
    except ValueError:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NewInspectionForm(forms.Form):
    """Step 1 on the phone: which team, what kind, which day; the rest is added on the draft."""

    team = forms.ModelChoiceField(
        label=_("督查组"),
        queryset=None,
        empty_label=_("请选择督查组"),
        error_messages={
            "required": _("请选择督查组。"),
            "invalid_choice": _("请选择您所在的督查组。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("督查方式"),
        choices=translated(Inspection.Kind.choices),
        initial=Inspection.Kind.ROUTINE,
    )
    date = forms.DateField(
        label=_("督查日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写督查日期。"), "invalid": _("请填写有效的日期。")},
    )
    street = forms.ModelChoiceField(
        label=_("街道"), queryset=None, required=False, empty_label=_("不限（跨街道）")
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, teams, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("date", timezone.localdate())
        kwargs["initial"].setdefault("client_token", new_token())
        super().__init__(*args, **kwargs)
        teams = teams.order_by("headquarters", "kind", "id")
        self.fields["team"].queryset = teams
        team_list = list(teams)
        if len(team_list) == 1:
            self.fields["team"].initial = team_list[0].pk
        self.fields["street"].queryset = Unit.objects.filter(
            kind=Unit.Kind.STREET,
            active=True,
            headquarters__in={team.headquarters_id for team in team_list},
        ).order_by("order", "id")

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError(_("督查日期不能晚于今天。"))
        return value

    def clean(self):
        cleaned = super().clean()
        team, street = cleaned.get("team"), cleaned.get("street")
        if team and street and street.headquarters_id != team.headquarters_id:
            self.add_error("street", _("所选街道不属于该督查组的指挥部。"))
        return cleaned


class ProblemForm(forms.Form):
    """One problem found on the inspection: where, what, photos, optionally exactly where."""

    site = forms.ModelChoiceField(
        label=_("点位"),
        queryset=None,
        error_messages={
            "required": _("请选择点位（先在上方添加督查点位）。"),
            "invalid_choice": _("请选择本次督查的点位。"),
        },
    )
    category = forms.ModelChoiceField(
        label=_("问题类别"),
        queryset=None,
        empty_label=_("请选择问题类别"),
        error_messages={
            "required": _("请选择问题类别。"),
            "invalid_choice": _("请选择有效的问题类别。"),
        },
    )
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("例如：店外摆摊占用人行道约 5 米")}
        ),
        max_length=2000,
        error_messages={"required": _("请填写问题描述。")},
    )
    photos = PhotosField(
        label=_("现场照片"), error_messages={"required": _("请至少拍摄或上传一张现场照片。")}
    )
    latitude = forms.DecimalField(
        label=_("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_token", new_token())
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.fields["site"].queryset = inspection.sites.all()
        self.fields["category"].queryset = ProblemCategory.objects.filter(
            headquarters=inspection.headquarters_id, active=True
        ).order_by("order", "id")

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (
            (latitude is None) != (longitude is None)
            and not self.has_error("latitude")
            and (not self.has_error("longitude"))
        ):
            self.add_error("longitude", _("经纬度必须同时填写或同时留空。"))
        for name in ("latitude", "longitude"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].quantize(COORDINATE_PLACES)
        return cleaned

    def report_kwargs(self) -> dict:
        """The cleaned values as ``workflow.report_problem`` keyword arguments."""
        data = self.cleaned_data
        return {
            "site": data["site"],
            "category": data["category"],
            "description": data["description"],
            "photos": data["photos"],
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "client_token": data.get("client_token"),
        }
