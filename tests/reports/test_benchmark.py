import io

import pytest
from django.core.management import call_command

from tests.factories import new_problem, street_site

pytestmark = pytest.mark.django_db


def test_benchmark_prints_figures_for_every_page(secretariat, inspector, street):
    new_problem(inspector, street_site(street))
    out = io.StringIO()
    call_command("benchmark", "--repeat", "1", "--user", secretariat.username, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("项目")
    assert any(line.startswith("问题详情") for line in lines)
    assert len(lines) == 16
    # Scoring the running month (本月至今) and the last ended month, each measured.
    assert sum(line.startswith("月度考评 monthly_scores") for line in lines) == 2
