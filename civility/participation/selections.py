"""典型评选: nominations, review, 公示 and results — the only code that changes
``Selection.status``.

    征集中 ──开始评审──▶ 评审中 ──公示 (period, shortlist 1..quota)──▶ 公示中 ──公布结果──▶ 已公布

Results can be published only after the 公示 period has ended (the day after its last day).
Each change is a compare-and-swap on (status, version). The winners are SelectionResult rows;
``record_winner_honour`` records a unit's or 小区's win as a campaign honour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.campaign.honours import award
from civility.campaign.models import Honour
from civility.core.errors import Conflict, NotAllowed
from civility.core.permissions import is_secretariat
from civility.org.models import Unit
from civility.participation.models import Nomination, Selection, SelectionResult
from civility.participation.permissions import can_manage_selections, can_nominate
from civility.participation.photos import attach_photos
from civility.supervision.photos import ProcessedPhoto, photo_files_guard

Status = Selection.Status


def _swap(selection: Selection, source: str, target: str, **updates) -> Selection:
    swapped = Selection.objects.filter(
        pk=selection.pk, status=source, version=selection.version
    ).update(status=target, version=F("version") + 1, **updates)
    if swapped != 1:
        current = Selection.objects.get(pk=selection.pk)
        raise Conflict(
            _("已被他人处理：该评选当前状态为「%(status)s」。")
            % {"status": current.get_status_display()}
        )
    selection.refresh_from_db()
    return selection


def _require(selection: Selection, by, status: str, doing: str) -> None:
    if not can_manage_selections(by):
        raise NotAllowed(_("只有创建办可以%(doing)s。") % {"doing": doing})
    if selection.status != status:
        raise NotAllowed(
            _("评选处于「%(status)s」阶段，不能%(doing)s。")
            % {"status": selection.get_status_display(), "doing": doing}
        )


def nominate(
    selection: Selection,
    *,
    by,
    unit: Unit,
    nominee_kind: str,
    nominee: str,
    materials: str,
    nominee_unit: Unit | None = None,
    photos: Sequence[ProcessedPhoto] = (),
    client_token=None,
) -> tuple[Nomination, bool]:
    """A unit's nomination while the selection is 征集中; (nomination, created)."""
    if not can_nominate(by, selection):
        raise NotAllowed(_("该评选已不在征集阶段，或您无权推荐。"))
    if not is_secretariat(by) and unit.pk != by.unit_id:
        raise NotAllowed(_("联络员只能以本单位名义推荐。"))
    if client_token is not None:
        existing = Nomination.objects.filter(client_token=client_token).first()
        if existing is not None:
            return existing, False
    nominee, materials = (nominee or "").strip(), (materials or "").strip()
    errors = {}
    if not nominee:
        errors["nominee"] = _("请填写推荐对象。")
    if not materials:
        errors["materials"] = _("请填写推荐材料（主要事迹）。")
    if unit.headquarters_id != selection.headquarters_id:
        errors["unit"] = _("推荐单位不属于本指挥部。")
    if nominee_unit is not None and nominee_unit.headquarters_id != selection.headquarters_id:
        errors["nominee_unit"] = _("对应单位不属于本指挥部。")
    if nominee_kind not in Nomination.NomineeKind.values:
        errors["nominee_kind"] = _("请选择推荐对象类型。")
    if errors:
        raise ValidationError(errors)
    try:
        with photo_files_guard(), transaction.atomic():
            nomination = Nomination.objects.create(
                selection=selection,
                unit=unit,
                nominee_kind=nominee_kind,
                nominee=nominee,
                nominee_unit=nominee_unit,
                materials=materials,
                created_by=by,
                client_token=client_token,
            )
            attach_photos(photos, by=by, nomination=nomination)
    except IntegrityError:
        raise ValidationError({"nominee": _("该对象已被推荐参加本次评选。")}) from None
    return nomination, True


def start_review(selection: Selection, *, by) -> Selection:
    _require(selection, by, Status.NOMINATING, _("开始评审"))
    if not selection.nominations.exists():
        raise ValidationError(_("还没有任何推荐对象，不能开始评审。"))
    return _swap(selection, Status.NOMINATING, Status.REVIEWING)


def review(
    selection: Selection, marks: dict[int, tuple[Decimal | None, bool, str]], *, by
) -> Selection:
    """The secretariat's marks: {nomination pk: (score, shortlisted, note)}."""
    _require(selection, by, Status.REVIEWING, _("评审"))
    shortlisted = sum(1 for _score, chosen, _note in marks.values() if chosen)
    if shortlisted > selection.quota:
        raise ValidationError(
            _("入围 %(n)s 个，超过名额 %(quota)s 个。")
            % {"n": shortlisted, "quota": selection.quota}
        )
    with transaction.atomic():
        nominations = {n.pk: n for n in selection.nominations.select_for_update()}
        for pk, (score, chosen, note) in marks.items():
            nomination = nominations.get(pk)
            if nomination is None:
                continue
            nomination.score, nomination.shortlisted = score, chosen
            nomination.review_note = (note or "").strip()[:300]
        Nomination.objects.bulk_update(
            nominations.values(), ["score", "shortlisted", "review_note"]
        )
        # A review bumps the version: a 公示 decided on an older shortlist fails.
        return _swap(selection, Status.REVIEWING, Status.REVIEWING)


def start_publicity(
    selection: Selection, *, by, start: date, end: date, today: date | None = None
) -> Selection:
    """公示 the shortlist from ``start`` to ``end`` (both days included)."""
    _require(selection, by, Status.REVIEWING, _("公示"))
    today = today or timezone.localdate()
    errors = {}
    if start < today:
        errors["start"] = _("公示开始日期不能早于今天。")
    if end < start:
        errors["end"] = _("公示结束日期不能早于开始日期。")
    count = selection.nominations.filter(shortlisted=True).count()
    if not count:
        errors["__all__"] = _("请先在评审中确定入围对象。")
    elif count > selection.quota:
        errors["__all__"] = _("入围对象超过名额。")
    if errors:
        raise ValidationError(errors)
    return _swap(
        selection, Status.REVIEWING, Status.PUBLICITY, publicity_start=start, publicity_end=end
    )


def can_publish_results(selection: Selection, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        selection.status == Status.PUBLICITY
        and selection.publicity_end is not None
        and today > selection.publicity_end
    )


def publish_results(selection: Selection, *, by, now: datetime | None = None) -> Selection:
    """Publish the shortlist as the results, ranked by score; only once 公示 has ended."""
    _require(selection, by, Status.PUBLICITY, _("公布结果"))
    now = now or timezone.now()
    if not can_publish_results(selection, timezone.localdate(now)):
        raise ValidationError(
            _("公示期至 %(end)s 结束，公示期满后才能公布结果。")
            % {"end": selection.publicity_end.strftime("%Y-%m-%d")}
        )
    winners = selection.nominations.filter(shortlisted=True).order_by(
        F("score").desc(nulls_last=True), "id"
    )
    title = f"{selection.year}年度{selection.get_kind_display()}"
    with transaction.atomic():
        selection = _swap(selection, Status.PUBLICITY, Status.PUBLISHED, published_at=now)
        results = [
            SelectionResult.objects.create(
                selection=selection, nomination=nomination, rank=rank, title=title
            )
            for rank, nomination in enumerate(winners, start=1)
        ]
        for result in results:
            record_winner_honour(result, by=by, at=now)
    return selection


# The campaign honour each selection's winners hold; the full name (title) says which.
HONOUR_KINDS = {
    Selection.Kind.PROPERTY: Honour.Kind.TOP_PROPERTY,
    Selection.Kind.HARMONIOUS_COMPOUND: Honour.Kind.CIVILISED_ESTATE,
}
HONOUR_NOMINEES = (Nomination.NomineeKind.UNIT, Nomination.NomineeKind.COMPOUND)


def record_winner_honour(result: SelectionResult, *, by, at: datetime | None = None):
    """A unit or 小区 winner holds its title as a campaign honour (文明荣誉称号, SPEC §7: 区级,
    awarded in the selection's year by the headquarters), linked to the result; the Honour or
    None. People, families and projects (and a unit nominee not chosen from the register) keep
    the SelectionResult only. Idempotent: a result already linked, or an honour the unit already
    holds for the same title and year, is not recorded twice."""
    if result.honour_id is not None:
        return result.honour
    nomination = result.nomination
    unit = nomination.nominee_unit
    if unit is None or nomination.nominee_kind not in HONOUR_NOMINEES:
        return None
    selection = result.selection
    kind = HONOUR_KINDS.get(selection.kind, Honour.Kind.OTHER)
    level = Honour.Level.DISTRICT
    honour = Honour.objects.filter(
        unit=unit, kind=kind, level=level, year_awarded=selection.year
    ).first()
    if honour is not None and honour.title not in ("", result.title):
        return None  # another title of the same kind and year: the result stays the record
    if honour is None:
        honour = award(
            hq=selection.headquarters,
            by=by,
            unit=unit,
            kind=kind,
            level=level,
            year_awarded=selection.year,
            title=result.title,
            awarded_by=selection.headquarters.name,
            note=_("%(selection)s第%(rank)s名")
            % {"selection": selection.title, "rank": result.rank},
            at=at,
        )
    if hasattr(honour, "selection_result") and honour.selection_result.pk != result.pk:
        return honour  # already the record of another result (the same title twice)
    SelectionResult.objects.filter(pk=result.pk).update(honour=honour)
    result.honour = honour
    return honour
