"""Filters of the supervision lists (django-filter), applied to the user's visible queryset."""

from datetime import timedelta
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civility.core.params import parse_id
from civility.core.periods import Period, local_midnight
from civility.org.models import ProblemCategory, Site, Unit
from civility.supervision.drives.models import Drive
from civility.supervision.drives.services import family_ids
from civility.supervision.problems.models import Problem, ProblemEvent

DUE_CHOICES = [
    (state.value, state.label) for state in Problem.DueState if state != Problem.DueState.NONE
]


UNIT_OPTIONS = 30  # units offered for one search
BLANK_LABELS = {"all": _("全部单位"), "default": _("各点位默认责任单位")}


FTS_MIN = 3  # characters: the trigram index finds runs of three or more


def text_search_q(value: str) -> Q:
    """Problems whose number or description contains ``value``, or whose site's name does.

    Indexed where the database allows (migrations 0011, 0012): SQLite's FTS5 trigram table,
    PostgreSQL's pg_trgm indexes on UPPER(...) (what icontains compares); the site names are a
    small table whose matches are then looked up through the problem's site index. One or two
    characters fall back to a scan, which stops early for common words because the list reads
    newest first."""
    sites = Q(site__in=Site.objects.filter(name__icontains=value).values("pk"))
    if connection.vendor == "sqlite" and len(value) >= FTS_MIN:
        phrase = '"' + value.replace('"', '""') + '"'
        matches = RawSQL(
            "SELECT rowid FROM supervision_problem_fts WHERE supervision_problem_fts MATCH %s",
            [phrase],
        )
        return Q(pk__in=matches) | sites
    if connection.vendor == "postgresql" and len(value) >= FTS_MIN:
        # Three indexed lookups (0012's UPPER(...) trigram indexes, the site index) gathered by
        # UNION: an OR of them made PostgreSQL walk the list's sort index, testing every row.
        found = Problem.objects.order_by()
        parts = [
            found.filter(number__icontains=value).values("pk"),
            found.filter(description__icontains=value).values("pk"),
            found.filter(sites).values("pk"),
        ]
        return Q(pk__in=parts[0].union(*parts[1:]))
    return Q(number__icontains=value) | Q(description__icontains=value) | sites


class UnitSearchSelect(forms.Select):
    """A unit select holding only the chosen unit, with a search box beside it that asks the
    server for matching units (htmx): a city has ~600 units, and rendering them all as options
    on every list load was ~40 % of the page's time."""

    def __init__(self, *args, search_url: str = "problem_unit_options", blank="all", **kwargs):
        super().__init__(*args, **kwargs)
        self.search_url, self.blank = search_url, blank

    def optgroups(self, name, value, attrs=None):
        chosen = [pk for pk in map(parse_id, value) if pk is not None]  # junk shows nothing
        options = [self.create_option(name, "", BLANK_LABELS[self.blank], not chosen, 0)]
        queryset = self.choices.queryset if hasattr(self.choices, "queryset") else None
        for index, unit in enumerate(queryset.filter(pk__in=chosen) if chosen else (), start=1):
            options.append(self.create_option(name, unit.pk, str(unit), True, index))
        return [(None, options, 0)]

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        search = format_html(
            '<input type="search" name="{}_q" class="unit-search" autocomplete="off" '
            'placeholder="{}" aria-label="{}" hx-get="{}" hx-target="#{}" hx-swap="innerHTML" '
            'hx-trigger="input changed delay:300ms, search" hx-sync="this:replace">',
            name,
            _("输入名称查找"),
            _("查找单位"),
            f"{reverse(self.search_url)}?{urlencode({'blank': self.blank})}",
            target,
        )
        return format_html('<span class="search-select">{}{}</span>', search, select)


def unit_choices(visible=None):
    """The primary units that occur in the problems a person sees (``visible``; None: all
    problems): an EXISTS per unit (index probes) instead of reading every visible problem's
    unit."""
    problems = Problem.objects.all() if visible is None else visible
    units = Unit.objects.filter(Exists(problems.filter(primary_unit=OuterRef("pk"))))
    return units.order_by("kind", "order", "id")


def street_has_problems() -> IsNull:
    """Streets with a site that has a problem: per street, its sites until one has a problem
    (index probes on the problem's site). A scalar subquery, not EXISTS across problem and site:
    PostgreSQL flattened that into a join of every problem with its site (~350 ms at 500k)."""
    sites = Site.objects.filter(
        Exists(Problem.objects.filter(site=OuterRef("pk"))), street=OuterRef("pk")
    )
    return IsNull(Subquery(sites.order_by().values("pk")[:1]), False)


class ProblemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_text",
        widget=forms.TextInput(attrs={"placeholder": _("编号、描述、点位"), "type": "search"}),
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道"),
        queryset=Unit.objects.none(),
        method="filter_street",
        empty_label=_("全部街道"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("主责单位"),
        field_name="primary_unit",
        queryset=Unit.objects.none(),
        empty_label=_("全部单位"),
        widget=UnitSearchSelect(),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=ProblemCategory.objects.none(), empty_label=_("全部类别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        # "valid": every status but 已作废, what the drive and dashboard figures count.
        choices=[*Problem.Status.choices, ("valid", _("全部（不含作废）"))],
        method="filter_status",
        empty_label=_("全部状态"),
    )
    due_state = django_filters.ChoiceFilter(
        label=_("期限"), choices=DUE_CHOICES, method="filter_due_state", empty_label=_("全部")
    )
    source = django_filters.ChoiceFilter(
        label=_("来源"), choices=Problem.Source.choices, empty_label=_("全部来源")
    )
    drive = django_filters.ModelChoiceFilter(
        label=_("专项行动"),
        queryset=Drive.objects.none(),
        method="filter_drive",
        empty_label=_("全部"),
    )
    recurring = django_filters.ChoiceFilter(
        label=_("回潮"),
        choices=[("yes", _("是")), ("no", _("否"))],
        method="filter_recurring",
        empty_label=_("全部"),
    )
    date_from = django_filters.DateFilter(
        label=_("上报日期起"),
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("上报日期止"),
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # The counts behind a score (/rankings/, /units/<pk>/) link with these: problems due in a
    # month, and problems 退回重改 or 督办 in a month (YYYY-MM).
    due_from = django_filters.DateFilter(
        label=_("期限起"),
        field_name="deadline",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_to = django_filters.DateFilter(
        label=_("期限止"),
        field_name="deadline",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    returned_in = django_filters.CharFilter(
        label=_("退回月份"),
        method="filter_event_month",
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    escalated_in = django_filters.CharFilter(
        label=_("督办月份"),
        method="filter_event_month",
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    # The liaison inbox's 待签收 and 被退回 cards (inbox.liaison_inbox) link with these; without
    # them the links listed every 待整改 problem of the unit.
    acknowledged = django_filters.ChoiceFilter(
        label=_("签收"),
        choices=[("no", _("未签收")), ("yes", _("已签收"))],
        method="filter_acknowledged",
        empty_label=_("全部"),
    )
    returned = django_filters.ChoiceFilter(
        label=_("退回重改"),
        choices=[("yes", _("被退回过")), ("no", _("未被退回"))],
        method="filter_returned",
        empty_label=_("全部"),
    )

    # Shown at once; the rest sit behind "更多筛选".
    MAIN = ("q", "street", "unit", "category", "status", "due_state")

    class Meta:
        model = Problem
        fields = [
            "q",
            "street",
            "unit",
            "category",
            "status",
            "due_state",
            "source",
            "drive",
            "recurring",
            "date_from",
            "date_to",
            "acknowledged",
            "returned",
            "due_from",
            "due_to",
            "returned_in",
            "escalated_in",
        ]

    def __init__(self, *args, visible=None, street_ids=None, **kwargs):
        """``visible``: the problems of a person who sees only some (None: all of them). Street
        and unit choices are then the streets and primary units that occur in them, so a liaison
        is offered only what they can see."""
        super().__init__(*args, **kwargs)
        streets = Unit.objects.filter(kind=Unit.Kind.STREET)
        if street_ids is not None:  # known already (see views.visible_street_ids)
            streets = streets.filter(pk__in=street_ids)
        elif visible is None:
            streets = streets.filter(street_has_problems())
        else:
            streets = streets.filter(pk__in=visible.values("site__street"))
        self.filters["street"].queryset = streets.order_by("order", "id")
        self.filters["unit"].queryset = unit_choices(visible)
        self.filters["category"].queryset = ProblemCategory.objects.filter(active=True)
        self.filters["drive"].queryset = Drive.objects.all()

    @property
    def main_fields(self):
        return [self.form[name] for name in self.MAIN]

    @property
    def more_fields(self):
        return [self.form[name] for name in self.Meta.fields if name not in self.MAIN]

    @property
    def active_count(self) -> int:
        """How many filters are set (shown on the folded 筛选 toggle of a phone)."""
        return sum(1 for name in self.Meta.fields if str(self.data.get(name, "")).strip())

    @property
    def more_active(self) -> bool:
        return any(self.data.get(name) for name in self.Meta.fields if name not in self.MAIN)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(text_search_q(value))

    # Local-midnight bounds instead of ``reported_at__date``: the index on reported_at applies.
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(reported_at__gte=local_midnight(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(reported_at__lt=local_midnight(value + timedelta(days=1)))

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "no"))

    def filter_returned(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(rework_count__gt=0)
        return queryset.filter(rework_count=0)

    def filter_status(self, queryset, name, value):
        if value == "valid":
            return queryset.exclude(status=Problem.Status.VOID)
        return queryset.filter(status=value)

    def filter_drive(self, queryset, name, value):
        """A drive's problems include its sub-drives' (五大战役 count for 百日大会战)."""
        return queryset.filter(drive__in=family_ids(value))

    def filter_recurring(self, queryset, name, value):
        return queryset.filter(recurrence_of__isnull=(value == "no"))

    def filter_event_month(self, queryset, name, value):
        """Problems 退回重改 (``returned_in``) or 督办 (``escalated_in``) in the month ``value``
        (YYYY-MM); a malformed month filters nothing out."""
        try:
            year, number = (int(part) for part in value.strip().split("-"))
            period = Period.month(year, number)
        except (TypeError, ValueError):
            return queryset
        action = "return" if name == "returned_in" else "escalate"
        events = ProblemEvent.objects.filter(
            action=action, at__gte=period.start, at__lt=period.end
        ).values("problem_id")
        return queryset.filter(pk__in=events)

    def filter_street(self, queryset, name, value):
        status = self.form.cleaned_data.get("status")
        if status and status != "valid":
            # One status chosen: its index (status, deadline, id, site) leads and the street is
            # checked per row ("+ 0": not through the site index, which SQLite would otherwise
            # pick for a street's ~30,000 problems, sorting them all).
            sites = Site.objects.filter(street=value).values("pk")
            return queryset.alias(site_key=F("site_id") + 0).filter(site_key__in=sites)
        return queryset.filter(site__street=value)

    def filter_due_state(self, queryset, name, value):
        return queryset.filter(Problem.due_state_q(value, timezone.now()))
