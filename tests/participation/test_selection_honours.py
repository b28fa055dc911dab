"""典型评选 winners become campaign honours (SPEC §7): a unit or 小区 winner holds its title as a
文明荣誉称号 linked to its SelectionResult (shown on the unit's page); people, families and
projects keep the result only; recording twice records once."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from civility.campaign.models import Honour, HonourChange
from civility.org.models import Unit
from civility.participation import selections
from civility.participation.models import Selection, SelectionResult
from tests.conftest import client_for
from tests.participation import helpers

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def nominate(sel, by, unit, nominee, kind, nominee_unit=None):
    made, _ = selections.nominate(
        sel,
        by=by,
        unit=unit,
        nominee_kind=kind,
        nominee=nominee,
        nominee_unit=nominee_unit,
        materials=f"{nominee}事迹突出。",
    )
    return made


@pytest.fixture
def compound(hq, street):
    community = Unit.objects.create(
        headquarters=hq, name="测试社区", kind="community", parent=street
    )
    return Unit.objects.create(
        headquarters=hq, name="金山花园", kind=Unit.Kind.NEIGHBOURHOOD, parent=community
    )


@pytest.fixture
def published(hq, street, department, compound, secretariat, liaison, other_liaison):
    """Four winners of 2026's 十佳文明物业: a 小区, a registered unit, a person and a unit
    nominee typed by name only (no register entry)."""
    sel = helpers.selection(hq, year=2026, quota=4)
    winners = [
        nominate(sel, liaison, street, "金山物业（金山花园）", "compound", compound),
        nominate(sel, other_liaison, department, "城管局物业", "unit", department),
        nominate(sel, liaison, street, "林秀英", "person"),
        nominate(sel, liaison, street, "海天物业", "unit"),
    ]
    today = timezone.localdate()
    sel = helpers.on_publicity(sel, secretariat, winners, start=today, end=today)
    moment = at(today + timedelta(days=1), 8)
    sel = selections.publish_results(sel, by=secretariat, now=moment)
    return sel, winners, moment


def test_unit_and_compound_winners_hold_an_honour_linked_to_the_result(
    published, compound, department, secretariat
):
    sel, winners, moment = published
    honours = list(Honour.objects.order_by("unit__kind", "id"))
    issuer = sel.headquarters.name
    title = "2026年度十佳文明物业"
    assert [
        (h.unit, h.kind, h.level, h.year_awarded, h.title, h.status, h.awarded_by) for h in honours
    ] == [
        (department, "top_property", "district", 2026, title, "active", issuer),
        (compound, "top_property", "district", 2026, title, "active", issuer),
    ]
    by_nominee = {r.nomination.nominee: r for r in SelectionResult.objects.select_related("honour")}
    assert by_nominee["金山物业（金山花园）"].honour.unit == compound
    assert by_nominee["城管局物业"].honour.unit == department
    assert by_nominee["林秀英"].honour is None
    assert by_nominee["海天物业"].honour is None
    assert by_nominee["金山物业（金山花园）"].honour.note == f"{sel.title}第1名"
    change = HonourChange.objects.get(honour__unit=compound)
    assert (change.to_status, change.decided_by, change.at) == ("active", secretariat, moment)


def test_recording_a_winner_twice_records_one_honour(published, secretariat):
    _sel, _winners, _moment = published
    for result in SelectionResult.objects.all():
        selections.record_winner_honour(result, by=secretariat)
        fresh = SelectionResult.objects.get(pk=result.pk)
        selections.record_winner_honour(fresh, by=secretariat)
    assert Honour.objects.count() == 2
    assert HonourChange.objects.count() == 2


def test_a_compound_selection_is_a_civilised_estate_honour(
    hq, street, compound, secretariat, liaison
):
    sel = helpers.selection(hq, kind=Selection.Kind.HARMONIOUS_COMPOUND, year=2026, quota=1)
    winner = nominate(sel, liaison, street, "金山花园", "compound", compound)
    today = timezone.localdate()
    sel = helpers.on_publicity(sel, secretariat, [winner], start=today, end=today)
    selections.publish_results(sel, by=secretariat, now=at(today + timedelta(days=1)))
    honour = Honour.objects.get(unit=compound)
    assert (honour.kind, honour.title) == ("civilised_estate", "2026年度文明和谐小区")


def test_the_compounds_page_shows_its_honour(client, published, compound, leader):
    body = client_for(client, leader).get(f"/units/{compound.pk}/").content.decode()
    assert "2026年度十佳文明物业" in body


def test_the_results_link_to_the_honour_holders_page(client, published, compound, leader):
    sel, _winners, _moment = published
    body = client_for(client, leader).get(f"/selections/{sel.pk}/").content.decode()
    assert f'href="/units/{compound.pk}/"' in body
    assert "已记入金山花园的荣誉称号" in body
