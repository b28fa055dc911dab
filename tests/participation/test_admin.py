"""The participation admin: every page opens for the secretariat, suggestions are read-only there,
and a spending entered through a project's inline records who entered it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from civility.participation.models import (
    Budget,
    BudgetProject,
    ParticipatingOrganisation,
    Spending,
)
from tests.conftest import client_for
from tests.factories import photo
from tests.participation import helpers

pytestmark = pytest.mark.django_db
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label == "participation"),
    key=lambda m: m._meta.label,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(hq, street, department, secretariat, representative, liaison):
    suggestion = helpers.assigned(
        representative, hq, secretariat, street, photos=[photo()], text="路灯不亮"
    )
    helpers.activity(liaison, street, photos=[photo()])
    selection = helpers.selection(hq)
    helpers.nominate(selection, liaison, street, "金山花园物业")
    Budget.objects.create(headquarters=hq, year=2008, source="district", amount=Decimal(100))
    project = BudgetProject.objects.create(
        headquarters=hq, year=2008, name="背街小巷整治", amount=Decimal(50)
    )
    ParticipatingOrganisation.objects.create(
        community=street.children.first(), name="湖里实验小学", kind="school"
    )
    return {"suggestion": suggestion, "project": project}


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_admin_pages_open_for_the_secretariat(client, secretariat, rows, model):
    client_for(client, secretariat)
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert str(model._meta.verbose_name_plural) in changelist.content.decode()
    instance = model.objects.first()
    if instance is not None:
        change = client.get(admin_url(model, "change", instance.pk))
        assert change.status_code == 200


def test_suggestion_admin_is_read_only(client, secretariat, rows):
    client_for(client, secretariat)
    suggestion = rows["suggestion"]
    page = client.get(admin_url(type(suggestion), "change", suggestion.pk)).content.decode()
    assert "路灯不亮" in page and 'name="status"' not in page and 'name="text"' not in page
    assert client.get(admin_url(type(suggestion), "add")).status_code == 403


def test_spending_entered_in_the_admin_records_who(client, secretariat, street, rows):
    client_for(client, secretariat)
    project = rows["project"]
    url = admin_url(BudgetProject, "change", project.pk)
    data = {
        "headquarters": project.headquarters_id,
        "year": 2008,
        "name": project.name,
        "description": "",
        "amount": "50",
        "order": "0",
        "allocations-TOTAL_FORMS": "1",
        "allocations-INITIAL_FORMS": "0",
        "allocations-0-unit": street.pk,
        "allocations-0-amount": "30",
        "spendings-TOTAL_FORMS": "1",
        "spendings-INITIAL_FORMS": "0",
        "spendings-0-date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "spendings-0-unit": street.pk,
        "spendings-0-amount": "12.5",
        "spendings-0-description": "路面修补",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    spending = Spending.objects.get(project=project)
    assert (spending.amount, spending.recorded_by) == (Decimal("12.5"), secretariat)
    assert project.allocations.get().amount == Decimal(30)
