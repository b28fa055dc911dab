"""The problem table's body written in Python (core.tables.PythonRowsMixin) is character for
character what django-tables2's table.html writes, and the list reads only the columns shown."""

import pytest
from django.template.loader import get_template
from django.urls import reverse

from civility.supervision.problems.models import Problem
from civility.supervision.problems.tables import ProblemTable
from civility.supervision.problems.views import ProblemListView
from tests.supervision.problems.test_list_at_scale import assign, report

pytestmark = pytest.mark.django_db


def render(request, queryset, *, python=True) -> str:
    table = ProblemTable(queryset)
    table.paginate(per_page=50)
    table.context = None
    if not python:
        table.__dict__["tbody_html"] = ""  # the cached property: table.html's own loops
    assert bool(table.tbody_html) == (python and queryset.exists())
    return get_template("core/table.html").render({"table": table, "request": request}, request)


def test_python_rows_equal_the_templates(rf, secretariat, inspector, site):
    problems = [report(inspector, site, description=f"<b>{n}</b> & ‘x’") for n in range(4)]
    assign(problems[0], secretariat, site.default_unit)
    request = rf.get("/problems/")
    request.user = secretariat
    queryset = Problem.objects.select_related("site__street", "category", "primary_unit")
    python = render(request, queryset.order_by("pk"))
    template = render(request, queryset.order_by("pk"), python=False)
    assert python.count('<tr data-number="') == 4
    assert "&lt;b&gt;" not in python  # descriptions are export-only
    assert python == template


def test_empty_table_keeps_the_templates_empty_text(rf, secretariat):
    request = rf.get("/problems/")
    request.user = secretariat
    html = render(request, Problem.objects.none())
    assert str(ProblemTable._meta.empty_text) in html


def test_list_reads_only_the_shown_columns_and_renders_them(client, secretariat, inspector, site):
    problem = report(inspector, site)
    view = ProblemListView()
    view.request = type("R", (), {"user": secretariat})()
    deferred = view.get_queryset().get(pk=problem.pk).get_deferred_fields()
    assert "client_token" in deferred and "number" not in deferred
    client.force_login(secretariat)
    response = client.get(reverse("problem_list"))
    assert problem.number in response.content.decode()
