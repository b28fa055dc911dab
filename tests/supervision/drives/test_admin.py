"""The drive admin: targets and sub-drives edited inline on the drive's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civility.org.models import ProblemCategory
from civility.supervision.drives.models import Drive, DriveTarget

pytestmark = pytest.mark.django_db


def management(prefix, total=1):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_admin_adds_a_drive_with_a_target_and_a_sub_drive(client, secretariat, hq):
    client.force_login(secretariat)
    today = timezone.localdate()
    category = ProblemCategory.objects.get(headquarters=hq, name="占道经营")
    data = {
        "headquarters": hq.pk,
        "name": "百日大会战",
        "kind": Drive.Kind.HUNDRED_DAYS,
        "start_date": f"{today:%Y-%m-%d}",
        "end_date": f"{today + timedelta(days=99):%Y-%m-%d}",
        "description": "五大战役",
        **management("targets"),
        "targets-0-label": "回潮率",
        "targets-0-metric": DriveTarget.Metric.RECURRENCE_RATE,
        "targets-0-value": "5",
        "targets-0-order": "0",
        **management("children"),
        "children-0-name": "占道整治战役",
        "children-0-kind": Drive.Kind.BATTLE,
        "children-0-start_date": f"{today:%Y-%m-%d}",
        "children-0-end_date": f"{today + timedelta(days=30):%Y-%m-%d}",
        "_save": "保存",
    }
    response = client.post(reverse("admin:supervision_drive_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    parent = Drive.objects.get(name="百日大会战")
    child = Drive.objects.get(name="占道整治战役")
    assert (child.parent, child.headquarters) == (parent, hq)
    assert parent.targets.get().metric == DriveTarget.Metric.RECURRENCE_RATE
    # The sub-drive's categories are set on its own page.
    child_data = {
        "headquarters": hq.pk,
        "name": child.name,
        "kind": child.kind,
        "parent": parent.pk,
        "start_date": f"{child.start_date:%Y-%m-%d}",
        "end_date": f"{child.end_date:%Y-%m-%d}",
        "categories": [category.pk],
        **management("targets", 0),
        **management("children", 0),
        "_save": "保存",
    }
    response = client.post(reverse("admin:supervision_drive_change", args=[child.pk]), child_data)
    assert response.status_code == 302
    assert list(child.categories.all()) == [category]


def test_admin_refuses_a_sub_drive_outside_its_parent(client, secretariat, hq):
    client.force_login(secretariat)
    today = timezone.localdate()
    parent = Drive.objects.create(
        headquarters=hq, name="拼搏年", start_date=today, end_date=today + timedelta(days=30)
    )
    data = {
        "headquarters": hq.pk,
        "name": "拼秩序",
        "kind": Drive.Kind.BATTLE,
        "parent": parent.pk,
        "start_date": f"{today:%Y-%m-%d}",
        "end_date": f"{today + timedelta(days=60):%Y-%m-%d}",
        **management("targets", 0),
        **management("children", 0),
        "_save": "保存",
    }
    response = client.post(reverse("admin:supervision_drive_add"), data)
    assert response.status_code == 200
    assert "子行动的起止日期必须在上级行动的期间内" in response.content.decode()
    assert not Drive.objects.filter(name="拼秩序").exists()
