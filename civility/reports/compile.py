"""Compiling and publishing reports (SPEC §5).

``compile_report`` computes a period's numbers with aggregate queries (a constant number of them,
whatever the number of problems) and stores them in the period's single draft, creating it if
needed; running it twice, or on two servers at once, updates one draft. Published reports are
never touched: ``publish`` freezes numbers and text into ``snapshot``; ``start_correction``
opens a 更正 draft that, once published, supersedes the original.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from civility.core.i18n import site_language
from civility.core.models import User
from civility.core.periods import Period
from civility.core.roles import Role
from civility.reports import facts, figures, score_rows, scoring, sections
from civility.reports import narrative as texts
from civility.reports.models import Report, ReportRead
from civility.reports.participation import participation_data
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import notify
from civility.supervision.problems.models import Sequence

TOP_CATEGORIES = 5


class ReportError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- periods ----------------------------------------------------------------------------------


def report_period(kind: str, period: Period | str) -> Period:
    """The period a report of ``kind`` covers: a ``Period`` or its URL form ("2026-W47",
    "2026-11"); ValueError when it is malformed or of the other kind."""
    period_kind = Report.Kind(kind).period_kind
    if isinstance(period, Period):
        if period.kind != period_kind:
            raise ValueError(str(period))
        return period
    return Period.parse(period, period_kind)


def _dec(value) -> str | None:
    return None if value is None else str(scoring.q1(value))


def _rate(part: int, whole: int) -> str | None:
    return _dec(Decimal(100) * part / whole) if whole else None


# --- the numbers ------------------------------------------------------------------------------


def overview(headquarters, period: Period, *, now=None) -> dict:
    """The period's counts as at its end (see ``figures``)."""
    return figures.PeriodFigures(headquarters, period, now=now).overview()


CHANGE_KEYS = (
    "inspections",
    "site_visits",
    "found",
    "found_closed",
    "due_closed_late",
    "overdue_open",
    "escalations",
)


def _changes(current: dict, previous: dict) -> dict:
    return {
        key: current[key] - previous[key]
        for key in CHANGE_KEYS
        if key in current and key in previous
    }


def monthly_data(headquarters, period: Period, *, now=None) -> dict:
    first, last = period.first, period.last
    year, month = period.year, period.number
    before = period.previous()
    figures_now = figures.PeriodFigures(headquarters, period, now=now)
    current = figures_now.overview()
    scores = scoring.monthly_scores(headquarters, year, month)
    # The month before has ended: its overview is kept with its stored facts (built by the
    # scores just read), so it is not replayed again for every compilation.
    previous = facts.month_overview(
        headquarters,
        before,
        lambda: figures.PeriodFigures(headquarters, before, now=now).overview(),
        now=now or timezone.now(),
    )
    rankings = score_rows.rankings(scores)
    moment = figures_now.moment
    criticised, exemplary = figures_now.typical()
    by_category = figures_now.by_category()
    return {
        "period": {
            "first": f"{first:%Y-%m-%d}",
            "last": f"{last:%Y-%m-%d}",
            "year": year,
            "month": month,
        },
        "scoring": score_rows.rules(scores),
        "overview": current,
        "previous": previous,
        "change": _changes(current, previous),
        **rankings,
        "top_categories": by_category[:TOP_CATEGORIES],
        "by_street": figures_now.by_street(),
        "units_named": figures_now.units_named(),
        "recurrences": sections.recurrences(figures_now),
        "recurrence_rates": sections.recurrence_rates(figures_now),
        "typical": criticised,
        "exemplary": exemplary,
        "teams": sections.team_work(headquarters, period, moment),
        "commentary": sections.commentary(headquarters, period, moment),
        "drives": sections.drive_progress(headquarters, period, moment),
        "participation": participation_data(headquarters, period, now=now),
        "problems": figures_now.problem_rows(),
    }


def weekly_data(headquarters, period: Period, *, now=None) -> dict:
    figures_now = figures.PeriodFigures(headquarters, period, now=now)
    moment = figures_now.moment
    criticised, exemplary = figures_now.typical()
    return {
        "period": {"first": f"{period.first:%Y-%m-%d}", "last": f"{period.last:%Y-%m-%d}"},
        "overview": figures_now.overview(),
        "streets": sections.streets(headquarters, period, figures_now),
        "by_street": figures_now.by_street(),
        "by_category": figures_now.by_category(),
        "look_back": sections.look_back(headquarters, period, moment),
        "commentary": sections.commentary(headquarters, period, moment),
        "typical": criticised,
        "exemplary": exemplary,
        "plan": sections.next_plan(headquarters, period),
        "drives": sections.drive_progress(headquarters, period, moment),
    }


# --- compile, publish, correct ------------------------------------------------------------------


def previous_report(headquarters, period: Period) -> Report | None:
    """The previous period's published report (its texts carry over into this draft)."""
    return (
        Report.objects.filter(
            headquarters=headquarters,
            kind=Report.Kind.of_period(period),
            period=str(period.previous()),
            status=Report.Status.PUBLISHED,
        )
        .order_by("-published_at")
        .first()
    )


def _stored(value):
    """Lazy labels (choices, periods) turned into text in the current language: data is stored."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: _stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(item) for item in value]
    return value


def _compute(headquarters, period: Period, now=None) -> dict:
    with site_language():  # the labels in the data are stored
        if Report.Kind.of_period(period) == Report.Kind.MONTHLY:
            return _stored(monthly_data(headquarters, period, now=now))
        return _stored(weekly_data(headquarters, period, now=now))


def compile_report(
    headquarters, kind: str, period: Period | str, *, now=None
) -> tuple[Report, bool]:
    """Create or update the period's draft; (report, changed). A period that is already
    published and has no draft is left alone (returns the published report, False).
    ValueError when ``period`` is not a period of ``kind``."""
    span = report_period(kind, period)
    first, last, period = span.first, span.last, str(span)
    now = now or timezone.now()
    scope = Report.objects.filter(headquarters=headquarters, kind=kind, period=period)
    draft = scope.filter(status=Report.Status.DRAFT).first()
    if draft is None:
        published = scope.filter(status=Report.Status.PUBLISHED).first()
        if published is not None:
            return published, False
    data = _compute(headquarters, span, now)
    with site_language():
        narrative = _stored(
            texts.default_narrative(kind, data, span, previous_report(headquarters, span))
        )
    with transaction.atomic():
        if draft is None:
            try:
                with transaction.atomic():
                    draft = Report.objects.create(
                        headquarters=headquarters,
                        kind=kind,
                        period=period,
                        period_start=first,
                        period_end=last,
                        year=first.year,
                        title=texts.title(span),
                        data=data,
                        narrative=narrative,
                        compiled_at=now,
                    )
                return draft, True
            except IntegrityError:
                # Another process created the draft at the same moment: update that one.
                draft = scope.get(status=Report.Status.DRAFT)
        # Keep whatever the secretariat already wrote; refresh what is still as generated.
        merged = texts.merge(draft.narrative, narrative)
        updated = Report.objects.filter(pk=draft.pk, status=Report.Status.DRAFT).update(
            data=data, narrative=merged, compiled_at=now, updated_at=now
        )
        if updated != 1:
            raise ReportError(gettext("该通报已发布，不能再生成草稿。"))
    draft.refresh_from_db()
    return draft, True


def start_correction(report: Report, *, by) -> Report:
    """Open a 更正 draft for a published report (numbers recomputed, texts carried over)."""
    if report.status != Report.Status.PUBLISHED:
        raise ReportError(gettext("只能更正已发布的通报。"))
    if Report.objects.filter(corrects=report).exists():
        raise ReportError(gettext("该通报已有更正。"))
    first, last = report.period_start, report.period_end
    data = _compute(report.headquarters, report.get_period())
    narrative = dict(report.snapshot.get("narrative", {}))
    try:
        with transaction.atomic():
            return Report.objects.create(
                headquarters=report.headquarters,
                kind=report.kind,
                period=report.period,
                period_start=first,
                period_end=last,
                year=report.year,
                title=report.snapshot.get("title", report.title),
                addressees=report.addressees,
                data=data,
                narrative=narrative,
                corrects=report,
                compiled_at=timezone.now(),
            )
    except IntegrityError:
        raise ReportError(gettext("该期已有草稿，请先处理现有草稿。")) from None


def publish(report: Report, *, by, now=None) -> Report:
    """Freeze the draft: number it, snapshot it, supersede what it corrects, notify readers."""
    now = now or timezone.now()
    if (
        report.kind == Report.Kind.MONTHLY
        and not (report.narrative.get("requirements") or "").strip()
    ):
        # Drafts come with 整改要求 pre-filled; this only stops one whose text was cleared.
        raise ValidationError({"requirements": gettext("请填写整改要求后再发布。")})
    with transaction.atomic():
        claimed = Report.objects.filter(pk=report.pk, status=Report.Status.DRAFT).update(
            status=Report.Status.PUBLISHED,
            published_at=now,
            published_by=by,
            snapshot={"pending": True},
        )
        if claimed != 1:
            raise ReportError(gettext("该通报已被他人发布。"))
        year = timezone.localtime(now).year
        sequence = Sequence.next_value(report.headquarters, f"report-{report.kind}", year)
        if report.kind == Report.Kind.MONTHLY:
            number = f"{report.headquarters.doc_prefix}〔{year}〕{sequence}号"
        else:
            number = f"{year}年第{sequence}期"
        snapshot = {
            "number": number,
            "title": report.title,
            "addressees": report.addressees,
            "data": report.data,
            "narrative": report.narrative,
            "published_at": timezone.localtime(now).isoformat(),
            "issuer": report.headquarters.name,
            "copy_to": report.narrative.get("copy_to") or report.headquarters.copy_to,
            "printed_by": report.headquarters.printing_office_name,
            "corrects": report.corrects.number if report.corrects_id else "",
        }
        Report.objects.filter(pk=report.pk).update(
            year=year, sequence=sequence, number=number, snapshot=snapshot
        )
        if report.corrects_id:
            Report.objects.filter(pk=report.corrects_id, status=Report.Status.PUBLISHED).update(
                status=Report.Status.SUPERSEDED
            )
        report.refresh_from_db()
        transaction.on_commit(lambda: notify_published(report))
    return report


def report_url(report: Report) -> str:
    name = "report_monthly" if report.kind == Report.Kind.MONTHLY else "report_weekly"
    return reverse(name, args=[report.period])


def notify_published(report: Report) -> None:

    readers = User.objects.filter(
        is_active=True,
        groups__name__in=[Role.LEADER, Role.REPRESENTATIVE, Role.LIAISON],
    ).distinct()
    with site_language():
        label = "更正" if report.corrects_id else report.get_kind_display()
    notify(
        readers,
        Notification.Kind.REPORT,
        f"{label}：{report.number} {report.title}",
        url=report_url(report),
    )


def mark_read(report: Report, user) -> None:
    """已阅, once per person (a second open changes nothing); its 通报发布 notice is read too,
    so that the bell does not keep counting a bulletin the person has opened."""
    if report.status == Report.Status.DRAFT:
        return
    ReportRead.objects.bulk_create([ReportRead(report=report, user=user)], ignore_conflicts=True)
    Notification.objects.filter(
        user=user, kind=Notification.Kind.REPORT, url=report_url(report), read_at__isnull=True
    ).update(read_at=timezone.now())
