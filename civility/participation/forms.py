"""Forms of the suggestion and activity pages. They parse and check what a person typed or
photographed; the state machine (``suggestions``) and the services decide and write."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.org.models import ProblemCategory, Site, Unit
from civility.participation.models import Activity, ActivitySeries, Suggestion
from civility.participation.suggestions import Action, ProblemDraft
from civility.supervision.inspections.forms import DateInput, new_token
from civility.supervision.photos import PhotosField
from civility.supervision.problems.forms import grouped_unit_choices
from civility.supervision.problems.models import Drive

MAX_PHOTOS = 6
REPLY_DAYS = 10  # the reply deadline the 交办答复 form proposes


def site_choices(hq) -> list:
    """Active sites of a headquarters as <optgroup>s by street."""
    groups: dict[str, list] = {}
    sites = Site.objects.filter(headquarters=hq, active=True).select_related("street")
    for site in sites.order_by("street__order", "street_id", "name"):
        groups.setdefault(site.street.name, []).append((site.pk, site.name))
    return list(groups.items())


class SiteField(forms.ModelChoiceField):
    def __init__(self, hq, **kwargs):
        super().__init__(queryset=Site.objects.filter(headquarters=hq, active=True), **kwargs)
        self.choices = [("", self.empty_label or "")] + site_choices(hq)


# --- suggestions ------------------------------------------------------------------------------


class SuggestionForm(forms.Form):
    """A representative's suggestion from the phone: what, where (optional), photos."""

    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("请选择类别"))] + list(Suggestion.Category.choices),
        error_messages={"required": _("请选择建议类别。")},
    )
    text = forms.CharField(
        label=_("建议内容"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("例如：某路口早高峰车辆乱停，建议增设停车位")}
        ),
        error_messages={"required": _("请填写建议内容。")},
    )
    place = forms.CharField(
        label=_("地点描述"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("点位列表里没有时，写明具体地点")}),
    )
    photos = PhotosField(label=_("照片"), required=False, max_count=MAX_PHOTOS)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, hq, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_token", new_token())
        super().__init__(*args, **kwargs)
        self.fields["site"] = SiteField(
            hq,
            label=_("点位（可选）"),
            required=False,
            empty_label=_("不选点位"),
            error_messages={"invalid_choice": _("请选择有效的点位。")},
        )
        self.order_fields(["category", "text", "site", "place", "photos", "client_token"])

    def submit_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "text": data["text"],
            "site": data.get("site"),
            "place": data.get("place", ""),
            "photos": data.get("photos") or [],
            "client_token": data.get("client_token"),
        }


class NoteForm(forms.Form):
    """答复, 直接答复 and the ratings: one text, required or not."""

    LABELS = {
        Action.REPLY: (_("答复内容"), True),
        Action.ANSWER: (_("答复内容"), True),
        Action.RATE_SATISFIED: (_("评价意见（可选）"), False),
        Action.RATE_BASIC: (_("评价意见（可选）"), False),
        Action.RATE_UNSATISFIED: (_("不满意的原因"), True),
    }
    MISSING = {
        Action.REPLY: _("请填写答复内容。"),
        Action.ANSWER: _("请填写答复内容。"),
        Action.RATE_UNSATISFIED: _("请说明不满意的原因，创建办将重新办理。"),
    }

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=3000)

    def __init__(self, *args, action: Action, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        label, required = self.LABELS[action]
        field = self.fields["note"]
        field.label, field.required = label, required
        if required:
            field.error_messages["required"] = self.MISSING[action]

    def perform_kwargs(self) -> dict:
        return {"note": self.cleaned_data.get("note", "")}


class AssignForm(forms.Form):
    """交办答复: which unit answers, by when."""

    unit = forms.TypedChoiceField(label=_("答复单位"), coerce=int)
    deadline = forms.DateField(
        label=_("答复期限"),
        widget=DateInput(),
        error_messages={"required": _("请填写答复期限。"), "invalid": _("请填写有效的日期。")},
    )
    note = forms.CharField(
        label=_("交办意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, action: Action, suggestion: Suggestion, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("deadline", timezone.localdate() + timedelta(days=REPLY_DAYS))
        if suggestion.site_id:
            kwargs["initial"].setdefault("unit", suggestion.site.default_unit_id)
        super().__init__(*args, **kwargs)
        self.units = Unit.objects.filter(headquarters=suggestion.headquarters_id, active=True)
        field = self.fields["unit"]
        field.choices = grouped_unit_choices(self.units, _("请选择答复单位"))
        field.error_messages.update(
            required=_("请选择答复单位。"), invalid_choice=_("请选择有效的答复单位。")
        )

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate():
            raise ValidationError(_("答复期限不能早于今天。"))
        return value

    def perform_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": self.units.get(pk=data["unit"]),
            "deadline": data["deadline"],
            "note": data.get("note", ""),
        }


class DraftForm(forms.Form):
    """One problem made of a suggestion."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("点位"))
    category = forms.ModelChoiceField(queryset=ProblemCategory.objects.none(), label=_("问题类别"))
    description = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.TypedChoiceField(label=_("交办单位"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        hq = suggestion.headquarters_id
        self.fields["site"] = SiteField(
            hq, label=_("点位"), empty_label=_("请选择点位"), error_messages=_REQUIRED_SITE
        )
        self.fields["category"].queryset = ProblemCategory.objects.filter(
            headquarters=hq, active=True
        ).order_by("order", "id")
        self.fields["category"].empty_label = _("请选择问题类别")
        self.fields["category"].error_messages["required"] = _("请选择问题类别。")
        self.fields["description"].error_messages["required"] = _("请填写问题描述。")
        self.units = Unit.objects.filter(headquarters=hq, active=True)
        self.fields["unit"].choices = grouped_unit_choices(self.units, _("暂不交办（待交办）"))
        self.fields["unit"].help_text = _("选择后立即交办给该单位；不选则问题留在待交办。")

    def draft(self, with_photos: bool) -> ProblemDraft:
        data = self.cleaned_data
        unit = self.units.get(pk=data["unit"]) if data.get("unit") else None
        return ProblemDraft(
            data["site"], data["category"], data["description"], unit, with_photos=with_photos
        )


_REQUIRED_SITE = {"required": _("请选择点位。"), "invalid_choice": _("请选择有效的点位。")}


class BaseDraftFormSet(forms.BaseFormSet):
    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        self.suggestion = suggestion
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"suggestion": self.suggestion}


DraftFormSet = forms.formset_factory(
    DraftForm, formset=BaseDraftFormSet, extra=2, min_num=1, validate_min=True, max_num=5
)


class ConvertForm:
    """转为问题: up to three problems (the first required), plus a note and the photos switch.

    A small wrapper so the view treats it like the other action forms."""

    def __init__(self, data=None, files=None, *, action: Action, suggestion: Suggestion):
        initial = [
            {
                "site": suggestion.site_id,
                "description": suggestion.text[:2000],
                "unit": suggestion.site.default_unit_id if suggestion.site_id else None,
            }
        ]
        self.formset = DraftFormSet(data, suggestion=suggestion, initial=initial, prefix="p")
        self.extra = _ConvertExtra(data)

    def is_valid(self) -> bool:
        # Both, so that every error is shown at once.
        return self.formset.is_valid() & self.extra.is_valid()

    def perform_kwargs(self) -> dict:
        with_photos = self.extra.cleaned_data.get("with_photos", False)
        drafts = [form.draft(with_photos) for form in self.formset if form.cleaned_data]
        return {"drafts": drafts, "note": self.extra.cleaned_data.get("note", "")}


class _ConvertExtra(forms.Form):
    with_photos = forms.BooleanField(
        label=_("建议的照片作为问题的整改前照片"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("办理说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def action_form(action: Action, data=None, files=None, *, suggestion: Suggestion):
    if action == Action.CONVERT:
        return ConvertForm(data, files, action=action, suggestion=suggestion)
    cls = AssignForm if action == Action.ASSIGN else NoteForm
    return cls(data, action=action, suggestion=suggestion)


# --- activities -------------------------------------------------------------------------------


class ActivityForm(forms.ModelForm):
    photos = PhotosField(label=_("活动照片"), required=False, max_count=MAX_PHOTOS)
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "series",
            "organiser",
            "title",
            "date",
            "place",
            "participants",
            "volunteers",
            "volunteer_hours",
            "drive",
            "description",
        ]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "title": {"required": _("请填写活动名称。")},
            "date": {"required": _("请填写活动日期。"), "invalid": _("请填写有效的日期。")},
            "place": {"required": _("请填写活动地点。")},
            "participants": {"required": _("请填写参与人数。")},
            "series": {"required": _("请选择活动系列。")},
            "organiser": {"required": _("请选择组织单位。")},
        }

    def __init__(self, *args, hq, organisers, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_token", new_token())
        kwargs["initial"].setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.hq = hq
        self.fields["series"].queryset = ActivitySeries.objects.filter(
            headquarters=hq, active=True
        ).order_by("order", "id")
        self.fields["series"].empty_label = _("请选择活动系列")
        organisers = organisers.order_by("kind", "order", "id")
        self.fields["organiser"].queryset = organisers
        if organisers.count() == 1:
            self.fields["organiser"].empty_label = None
        self.fields["drive"].queryset = Drive.objects.filter(headquarters=hq).order_by(
            "-start_date"
        )
        self.fields["drive"].empty_label = _("无")
        for name in ("participants", "volunteers"):
            self.fields[name].widget.attrs.update(min=0, inputmode="numeric")
        self.fields["volunteer_hours"].widget.attrs.update(min=0, step="0.5")

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise ValidationError(_("活动日期不能晚于今天（活动结束后填报）。"))
        return value

    def clean(self):
        cleaned = super().clean()
        participants = cleaned.get("participants")
        volunteers = cleaned.get("volunteers") or 0
        hours = cleaned.get("volunteer_hours") or 0
        if participants is not None and volunteers > participants:
            self.add_error("volunteers", _("志愿者人数不能多于参与人数。"))
        if hours and not volunteers:
            self.add_error("volunteer_hours", _("有志愿服务时长时请填写志愿者人数。"))
        elif volunteers and hours > volunteers * 24:
            self.add_error("volunteer_hours", _("志愿服务时长超过每人每天 24 小时，请核对。"))
        return cleaned
