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
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from civility.core.models import User
from civility.core.periods import Period
from civility.core.roles import Role
from civility.reports import score_rows, scoring
from civility.reports.models import Report, ReportRead
from civility.supervision.commentary.models import Commentary
from civility.supervision.inspections.models import Inspection
from civility.supervision.notifications.models import Notification
from civility.supervision.notifications.services import notify
from civility.supervision.problems.models import Photo, Problem, ProblemEvent, Sequence

TYPICAL_CASES = 4
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


def overview(headquarters, period: Period) -> dict:
    """Counts for one period (three aggregate queries)."""
    first, last, start, end = period.first, period.last, period.start, period.end
    now = timezone.now()
    inspections = Inspection.objects.filter(
        headquarters=headquarters,
        status=Inspection.Status.SUBMITTED,
        date__gte=first,
        date__lte=last,
    )
    visits = Inspection.sites.through.objects.filter(inspection__in=inspections)
    visit_counts = visits.aggregate(visits=Count("id"), sites=Count("site", distinct=True))
    found = Q(reported_at__gte=start, reported_at__lt=end)
    due = Q(deadline__gte=start, deadline__lt=end)
    closed = Q(status=Problem.Status.CLOSED)
    late = Q(status__in=Problem.OPEN_STATUSES, deadline__lt=now) | Q(
        closed, closed_at__gt=F("deadline")
    )
    counts = (
        Problem.objects.filter(headquarters=headquarters)
        .exclude(status=Problem.Status.VOID)
        .aggregate(
            found=Count("id", filter=found),
            found_closed=Count("id", filter=found & closed),
            found_open=Count("id", filter=found & Q(status__in=Problem.OPEN_STATUSES)),
            closed_in_period=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            due=Count("id", filter=due),
            due_on_time=Count("id", filter=due & closed & Q(closed_at__lte=F("deadline"))),
            overdue=Count("id", filter=due & late),
        )
    )
    escalations = ProblemEvent.objects.filter(
        problem__headquarters=headquarters, action="escalate", at__gte=start, at__lt=end
    ).count()
    return {
        "inspections": inspections.count(),
        "site_visits": visit_counts["visits"],
        "sites": visit_counts["sites"],
        **counts,
        "escalations": escalations,
        "closure_rate": _rate(counts["found_closed"], counts["found"]),
        "on_time_rate": _rate(counts["due_on_time"], counts["due"]),
    }


def _changes(current: dict, previous: dict) -> dict:
    return {
        key: current[key] - previous[key]
        for key in ("inspections", "site_visits", "found", "found_closed", "overdue", "escalations")
    }


def _breakdowns(headquarters, period: Period) -> dict:
    start, end = period.start, period.end
    found = Problem.objects.filter(
        headquarters=headquarters, reported_at__gte=start, reported_at__lt=end
    ).exclude(status=Problem.Status.VOID)
    by_street = list(
        found.values(name=F("site__street__name"))
        .annotate(count=Count("id"), closed=Count("id", filter=Q(status=Problem.Status.CLOSED)))
        .order_by("-count", "name")
    )
    by_category = list(
        found.values(name=F("category__name"))
        .annotate(count=Count("id"))
        .order_by("-count", "name")
    )
    return {"by_street": by_street, "by_category": by_category}


def _problem_rows(problems) -> list[dict]:
    return [
        {
            "number": p.number,
            "site": p.site.name,
            "street": p.site.street.name,
            "category": p.category.name,
            "unit": p.primary_unit.name if p.primary_unit_id else "",
            "status": p.get_status_display(),
            "deadline": f"{timezone.localtime(p.deadline):%Y-%m-%d %H:%M}" if p.deadline else "",
            "closed_at": (
                f"{timezone.localtime(p.closed_at):%Y-%m-%d %H:%M}" if p.closed_at else ""
            ),
            "escalated": p.escalation_level > 0,
            "description": p.description,
        }
        for p in problems
    ]


def _typical(headquarters, period: Period) -> list[dict]:
    """Escalated or late problems of the period first, each with before/after photo ids."""
    start, end = period.start, period.end
    photos = Prefetch("photos", queryset=Photo.objects.only("id", "kind", "problem_id"))
    problems = (
        Problem.objects.filter(
            headquarters=headquarters, reported_at__gte=start, reported_at__lt=end
        )
        .exclude(status=Problem.Status.VOID)
        .filter(Exists(Photo.objects.filter(problem=OuterRef("pk"), kind=Photo.Kind.BEFORE)))
        .select_related("site__street", "category", "primary_unit")
        .prefetch_related(photos)
        .order_by("-escalation_level", "-rework_count", "-deduction", "reported_at")[:TYPICAL_CASES]
    )
    rows = _problem_rows(problems)
    for row, problem in zip(rows, problems, strict=True):
        row["before_photos"] = [p.id for p in problem.photos.all() if p.kind == Photo.Kind.BEFORE]
        row["after_photos"] = [p.id for p in problem.photos.all() if p.kind == Photo.Kind.AFTER]
    return rows


def _commentary(headquarters, period: Period) -> list[dict]:
    first, last = period.first, period.last
    items = (
        Commentary.objects.filter(headquarters=headquarters, date__gte=first, date__lte=last)
        .select_related("author")
        .prefetch_related("units")
        .order_by("date", "id")
    )
    return [
        {
            "date": f"{c.date:%Y-%m-%d}",
            "kind": c.get_kind_display(),
            "tone": c.get_tone_display(),
            "title": c.title,
            "author": str(c.author),
            "units": [u.name for u in c.units.all()],
        }
        for c in items
    ]


def monthly_data(headquarters, period: Period) -> dict:
    first, last, start, end = period.first, period.last, period.start, period.end
    year, month = period.year, period.number
    before = period.previous()
    current, previous = overview(headquarters, period), overview(headquarters, before)
    scores = scoring.monthly_scores(headquarters, year, month)
    rankings = score_rows.rankings(scores)
    problems = (
        Problem.objects.filter(
            headquarters=headquarters, reported_at__gte=start, reported_at__lt=end
        )
        .exclude(status=Problem.Status.VOID)
        .select_related("site__street", "category", "primary_unit")
        .order_by("reported_at", "id")
    )
    breakdowns = _breakdowns(headquarters, period)
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
        "top_categories": breakdowns["by_category"][:TOP_CATEGORIES],
        "by_street": breakdowns["by_street"],
        "typical": _typical(headquarters, period),
        "commentary": _commentary(headquarters, period),
        "problems": _problem_rows(problems),
    }


def weekly_data(headquarters, period: Period) -> dict:
    breakdowns = _breakdowns(headquarters, period)
    return {
        "period": {"first": f"{period.first:%Y-%m-%d}", "last": f"{period.last:%Y-%m-%d}"},
        "overview": overview(headquarters, period),
        "by_street": breakdowns["by_street"],
        "by_category": breakdowns["by_category"],
        "commentary": _commentary(headquarters, period),
        "typical": _typical(headquarters, period),
    }


# --- texts ------------------------------------------------------------------------------------


def _title(period: Period) -> str:
    if Report.Kind.of_period(period) == Report.Kind.MONTHLY:
        return f"关于{period.label}文明城区创建督查情况的通报"
    first, last = period.first, period.last
    return (
        f"{period.year}年第{period.number}周文明城区创建巡报"
        f"（{first.month}月{first.day}日—{last.month}月{last.day}日）"
    )


def _signed(change: int) -> str:
    return f"增加{change}" if change > 0 else (f"减少{-change}" if change < 0 else "持平")


def default_narrative(kind: str, data: dict, period: Period) -> dict:
    o = data["overview"]
    when = period.label if kind == Report.Kind.MONTHLY else "本周"
    summary = (
        f"{when}，各督查组共开展督查{o['inspections']}次，检查点位{o['site_visits']}个次，"
        f"发现问题{o['found']}个，已整改销号{o['found_closed']}个，"
        f"整改完成率{o['closure_rate'] or '—'}%；到期问题{o['due']}个，"
        f"按期整改率{o['on_time_rate'] or '—'}%，逾期{o['overdue']}个，"
        f"新增督办{o['escalations']}件。"
    )
    if kind == Report.Kind.MONTHLY:
        change = data["change"]
        summary += (
            f"与上月相比，发现问题{_signed(change['found'])}个，"
            f"逾期问题{_signed(change['overdue'])}个。"
        )
        top = "、".join(f"{c['name']}（{c['count']}个）" for c in data["top_categories"])
        problems = (
            (
                f"从督查情况看，问题主要集中在{top}等方面，部分点位问题反复出现，"
                "长效管理机制有待加强。"
            )
            if top
            else "本月督查未发现突出问题。"
        )
        return {"overview": summary, "problems": problems, "requirements": ""}
    return {"overview": summary}


# --- compile, publish, correct ------------------------------------------------------------------


def _compute(headquarters, period: Period) -> dict:
    if Report.Kind.of_period(period) == Report.Kind.MONTHLY:
        return monthly_data(headquarters, period)
    return weekly_data(headquarters, period)


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
    data = _compute(headquarters, span)
    narrative = default_narrative(kind, data, span)
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
                        title=_title(span),
                        data=data,
                        narrative=narrative,
                        compiled_at=now,
                    )
                return draft, True
            except IntegrityError:
                # Another process created the draft at the same moment: update that one.
                draft = scope.get(status=Report.Status.DRAFT)
        # Keep whatever the secretariat already wrote; fill only what is still empty.
        merged = {key: draft.narrative.get(key) or value for key, value in narrative.items()}
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
