"""Forms of the problem pages: one ``*ActionForm`` per kind of workflow action, and bulk 交办.

The forms only parse and check what a person typed or uploaded; the workflow decides whether the
action is allowed and validates it again (``workflow.perform``). ``perform_kwargs()`` hands the
cleaned values to it. Inspection and commentary forms live in their own modules.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civility.core.params import parse_id
from civility.core.permissions import is_secretariat
from civility.org.models import Unit
from civility.supervision.photos import process_upload
from civility.supervision.problems.models import Action

MAX_PHOTOS = 9
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# The note each action asks for: (label, message when it is missing, or None when optional).
NOTE_FIELDS: dict[Action, tuple[str, str | None]] = {
    Action.ASSIGN: (_("交办要求"), None),
    Action.VOID: (_("作废原因"), _("请填写作废原因。")),
    Action.SUBMIT: (_("整改情况说明"), _("请填写整改情况说明。")),
    Action.DISPUTE: (_("异议理由"), _("请填写权属异议的理由。")),
    Action.REASSIGN: (_("改派说明"), None),
    Action.REJECT_DISPUTE: (_("驳回说明"), None),
    Action.APPROVE: (_("复查意见"), None),
    Action.RETURN: (_("退回原因"), _("请填写退回重改的原因。")),
    Action.ESCALATE: (_("督办意见"), None),
    Action.REQUEST_EXTENSION: (_("延期理由"), _("请填写延期理由。")),
    Action.REJECT_EXTENSION: (_("驳回理由"), _("请填写驳回理由。")),
}

# What the action form says above its fields.
INTROS: dict[Action, str] = {
    Action.ASSIGN: _("交给主责单位整改；不填期限则按问题类别的整改时限计算。"),
    Action.VOID: _("作废后问题不再流转，但记录永久保留。"),
    Action.ACKNOWLEDGE: _("确认本单位已收到该问题，签收时间将被记录。"),
    Action.SUBMIT: _("说明整改情况，并上传至少一张整改后的现场照片。"),
    Action.DISPUTE: _("认为该问题不属于本单位管辖时，说明理由，由创建办协调。"),
    Action.REASSIGN: _("改派给另一个主责单位，整改期限重新计算。"),
    Action.REJECT_DISPUTE: _("异议不成立，问题退回原主责单位继续整改，期限不变。"),
    Action.APPROVE: _("现场复查合格，问题销号。"),
    Action.RETURN: _("整改不到位，退回主责单位重新整改（退回次数加一）。"),
    Action.ESCALATE: _("督办后督办次数加一、扣分加倍，并通知主责单位。"),
    Action.REQUEST_EXTENSION: _("说明理由并填写申请延至的期限，由创建办审批。"),
    Action.APPROVE_EXTENSION: _("批准后整改期限改为申请的期限。"),
    Action.REJECT_EXTENSION: _("驳回后整改期限不变。"),
}


def grouped_unit_choices(units, empty_label: str | None = None) -> list:
    """Units as <optgroup>s: streets, each street's communities, then the other kinds."""
    units = list(units.select_related("parent").order_by("kind", "parent__order", "order", "id"))
    groups: dict[str, list] = {}
    kind_order = [k.value for k in Unit.Kind]
    for unit in sorted(units, key=lambda u: kind_order.index(u.kind)):
        if unit.kind == Unit.Kind.COMMUNITY and unit.parent_id:
            label = _("%(street)s · 社区") % {"street": unit.parent.name}
        else:
            label = str(_(unit.get_kind_display()))
        groups.setdefault(label, []).append((unit.pk, unit.name))
    choices = list(groups.items())
    if empty_label is not None:
        choices.insert(0, ("", empty_label))
    return choices


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several image files; each is checked and re-encoded by ``photos.process_upload``."""

    def __init__(self, *args, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code="too_many"
            )
        processed, errors = [], []
        for number, upload in enumerate(files, start=1):
            try:
                processed.append(process_upload(upload))
            except ValidationError as error:
                name = getattr(upload, "name", "") or "?"
                for message in error.messages:
                    errors.append(
                        _("第 %(number)s 张照片（%(name)s）：%(message)s")
                        % {"number": number, "name": name, "message": message}
                    )
        if errors:
            raise ValidationError(errors)
        return processed


class ProblemActionForm(forms.Form):
    """Base of the action forms: the optional/required note and the hand-over to the workflow."""

    # Required on every POST (issue 10): without it, actions that keep the status (督办, 签收,
    # extension decisions) could be applied twice by concurrent or repeated posts.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("页面缺少问题的版本信息，请刷新页面后重试。"),
            "invalid": _("页面的问题版本信息无效，请刷新页面后重试。"),
            "min_value": _("页面的问题版本信息无效，请刷新页面后重试。"),
        },
    )

    def __init__(self, *args, problem, action: Action, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem, self.action, self.user = problem, Action(action), user
        self.intro = INTROS.get(self.action, "")
        if self.action in NOTE_FIELDS:
            label, missing = NOTE_FIELDS[self.action]
            self.fields["note"] = forms.CharField(
                label=label,
                required=missing is not None,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": missing or ""},
            )
        self.initial.setdefault("version", problem.version)

    def clean_version(self):
        # int() reads full-width digits ("１"); the view compares only ASCII digits.
        raw = str(self.data.get(self.add_prefix("version"), "")).strip()
        value = self.cleaned_data["version"]
        if not (raw.isascii() and raw.isdigit()) or value != self.problem.version:
            raise ValidationError(self.fields["version"].error_messages["invalid"], code="invalid")
        return value

    def perform_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"note": data.get("note", "")}
        for name in ("unit", "cooperating_units", "deadline", "photos"):
            if name in self.fields:
                kwargs[name] = data.get(name)
        if kwargs.get("photos") is None:
            kwargs.pop("photos", None)
        return kwargs

    def add_workflow_errors(self, error: ValidationError) -> None:
        """Put the workflow's refusal on the matching fields (or on the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for item in errors:
                    self.add_error(target, item.messages[0] if item.messages else str(item))
        else:
            for message in error.messages:
                self.add_error(None, message)


class ConfirmActionForm(ProblemActionForm):
    """签收, 批准延期: nothing to fill in."""


class NoteActionForm(ProblemActionForm):
    """作废, 权属异议, 驳回异议, 督办, 驳回延期: a reason or an optional remark."""


class AssignActionForm(ProblemActionForm):
    """交办: the primary unit (the site's default unit), cooperating units, optional deadline.

    An inspector's 现场交办 always goes to the site's default unit, so they only see it named.
    """

    deadline = forms.DateTimeField(
        label=_("整改期限"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
        help_text=_("留空则按问题类别的整改时限自动计算。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        problem = self.problem
        self.default_unit = problem.site.default_unit
        if not is_secretariat(self.user):
            return
        units = Unit.objects.filter(headquarters_id=problem.headquarters_id, active=True)
        self.fields["unit"] = forms.ModelChoiceField(
            label=_("主责单位"),
            queryset=units,
            initial=problem.site.default_unit_id,
            error_messages={"required": _("请选择主责单位。")},
        )
        self.fields["unit"].choices = grouped_unit_choices(units)
        suggested = [u.pk for u in problem.site.cooperating_units.all()]
        if problem.category.default_department_id:
            suggested.append(problem.category.default_department_id)
        suggested = [pk for pk in suggested if pk != problem.site.default_unit_id]
        # The suggested units first, so that a phone shows them without scrolling.
        cooperating = (
            units.filter(~Q(kind__in=Unit.AREA_KINDS) | Q(pk__in=suggested))
            .annotate(suggested=Case(When(pk__in=suggested, then=0), default=1))
            .order_by("suggested", "kind", "order", "id")
        )
        self.fields["cooperating_units"] = forms.ModelMultipleChoiceField(
            label=_("协办单位"),
            queryset=cooperating,
            required=False,
            initial=suggested,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("已按点位和问题类别预选，可增减。"),
        )
        self.order_fields(["unit", "cooperating_units", "deadline", "note"])


class ReassignActionForm(ProblemActionForm):
    """改派: another primary unit and an optional new deadline."""

    deadline = AssignActionForm.base_fields["deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(
            headquarters_id=self.problem.headquarters_id, active=True
        ).exclude(pk=self.problem.primary_unit_id)
        self.fields["unit"] = forms.ModelChoiceField(
            label=_("改派给"), queryset=units, error_messages={"required": _("请选择改派的单位。")}
        )
        self.fields["unit"].choices = grouped_unit_choices(units, empty_label=_("请选择单位"))
        self.fields["deadline"].help_text = _("留空则从现在起按问题类别的整改时限重新计算。")
        self.order_fields(["unit", "deadline", "note"])


class SubmitActionForm(ProblemActionForm):
    """提交整改: a description and at least one 整改后 photo."""

    photos = MultiplePhotoField(
        label=_("整改后照片"),
        required=True,
        error_messages={"required": _("请至少上传一张整改后照片。")},
        help_text=format_lazy(_("可直接拍照，最多 {n} 张。"), n=MAX_PHOTOS),
    )


class ReviewActionForm(ProblemActionForm):
    """复查通过, 退回重改: a note (required to return) and optional 复查 photos."""

    photos = MultiplePhotoField(
        label=_("复查照片"),
        required=False,
        help_text=format_lazy(_("可选，最多 {n} 张。"), n=MAX_PHOTOS),
    )


class ExtensionRequestActionForm(ProblemActionForm):
    """申请延期: a reason and the deadline asked for."""

    deadline = forms.DateTimeField(
        label=_("申请延至"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
        error_messages={"required": _("请填写新的整改期限。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["note", "deadline"])


ACTION_FORMS: dict[Action, type[ProblemActionForm]] = {
    Action.ASSIGN: AssignActionForm,
    Action.VOID: NoteActionForm,
    Action.ACKNOWLEDGE: ConfirmActionForm,
    Action.SUBMIT: SubmitActionForm,
    Action.DISPUTE: NoteActionForm,
    Action.REASSIGN: ReassignActionForm,
    Action.REJECT_DISPUTE: NoteActionForm,
    Action.APPROVE: ReviewActionForm,
    Action.RETURN: ReviewActionForm,
    Action.ESCALATE: NoteActionForm,
    Action.REQUEST_EXTENSION: ExtensionRequestActionForm,
    Action.APPROVE_EXTENSION: ConfirmActionForm,
    Action.REJECT_EXTENSION: NoteActionForm,
}

# Actions whose button posts at once (nothing to fill in); the rest open their form in the modal.
DIRECT_ACTIONS = (Action.ACKNOWLEDGE, Action.APPROVE_EXTENSION)


def action_form(action: Action, *args, **kwargs) -> ProblemActionForm:
    return ACTION_FORMS[Action(action)](*args, action=action, **kwargs)


class BulkAssignForm(forms.Form):
    """批量交办 from the list: the ticked problems, to their sites' default units or to one unit."""

    prefix = "bulk"
    unit = forms.ModelChoiceField(label=_("交办给"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, user, widget=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(active=True)
        if user.unit_id:
            units = units.filter(headquarters_id=user.unit.headquarters_id)
        if widget is not None:  # the list page's search box instead of ~600 options
            self.fields["unit"].widget = widget
            self.fields["unit"].queryset = units
            return
        self.fields["unit"].queryset = units
        self.fields["unit"].choices = grouped_unit_choices(
            units, empty_label=_("各点位默认责任单位")
        )

    def selected_ids(self) -> list[int]:
        """The ticked problems' ids; whether the person may see them is checked by the view."""
        values = self.data.getlist("problems") if hasattr(self.data, "getlist") else []
        return sorted({pk for pk in map(parse_id, values) if pk is not None})
