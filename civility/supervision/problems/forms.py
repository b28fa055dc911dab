"""Forms of the problem pages: the workflow actions' forms, and bulk 交办.

An action's form is built from its record in ``workflow.ACTIONS`` (``spec.make_form(...)``): the
note's label and refusal, the photos, the intro and, for 交办/改派/申请延期, the unit and deadline
refusals. The forms only parse and check what a person typed or uploaded; the workflow decides
whether the action is allowed and validates it again (``workflow.perform``), with the same
messages. ``perform_kwargs()`` hands the cleaned values to it.
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
from civility.supervision.photos import MAX_PHOTOS, PhotosField

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def grouped_unit_choices(units, empty_label: str | None = None) -> list:
    """Units as <optgroup>s: streets, each street's communities, then the other kinds."""
    units = list(units.select_related("parent").order_by("kind", "parent__order", "order", "id"))
    groups: dict[str, list] = {}
    kind_order = [k.value for k in Unit.Kind]
    for unit in sorted(units, key=lambda u: kind_order.index(u.kind)):
        if unit.kind == Unit.Kind.COMMUNITY and unit.parent_id:
            label = _("%(street)s · 社区") % {"street": unit.parent.name}
        else:
            label = unit.get_kind_display()
        groups.setdefault(label, []).append((unit.pk, unit.name))
    choices = list(groups.items())
    if empty_label is not None:
        choices.insert(0, ("", empty_label))
    return choices


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class ProblemActionForm(forms.Form):
    """An action's form: its note and photos as its record says; subclasses add unit/deadline."""

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

    def __init__(self, *args, spec, problem, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.action, self.problem, self.user = spec, spec.action, problem, user
        self.intro = spec.intro
        if spec.photos:
            required = spec.photos.missing is not None
            help_text = (
                _("可拍照或从相册选择，最多 {n} 张。") if required else _("可选，最多 {n} 张。")
            )
            self.fields["photos"] = PhotosField(
                label=spec.photos.label,
                required=required,
                error_messages={"required": spec.photos.missing or ""},
                help_text=format_lazy(help_text, n=MAX_PHOTOS),
            )
        if spec.note:
            self.fields["note"] = forms.CharField(
                label=spec.note.label,
                required=spec.note.missing is not None,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": spec.note.missing or ""},
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
            error_messages={"required": self.spec.unit},
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
            label=_("改派给"), queryset=units, error_messages={"required": self.spec.unit}
        )
        self.fields["unit"].choices = grouped_unit_choices(units, empty_label=_("请选择单位"))
        self.fields["deadline"].help_text = _("留空则从现在起按问题类别的整改时限重新计算。")
        self.order_fields(["unit", "deadline", "note"])


class ExtensionRequestActionForm(ProblemActionForm):
    """申请延期: a reason and the deadline asked for."""

    deadline = forms.DateTimeField(
        label=_("申请延至"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].error_messages["required"] = self.spec.deadline
        self.order_fields(["note", "deadline"])


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
