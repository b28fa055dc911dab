"""``?per_page=`` is bounded on every list page (issue 10): no server error, 1…200 rows a page."""

import pytest

from civility.core.tables import MAX_PER_PAGE, bounded_per_page
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LISTS = [
    "/problems/",
    "/inspections/",
    "/commentary/",
    "/assignments/",
    "/reports/weekly/",
    "/reports/monthly/",
]
VALUES = ["-5", "-1", "0", "abc", "1.5", "", "100000000", "99999999999999999999999"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-5", 25),
        ("-1", 25),
        ("0", 25),
        ("abc", 25),
        (None, 25),
        ("7", 7),
        ("200", 200),
        ("201", 200),
        ("100000000", 200),
    ],
)
def test_bounded_per_page(value, expected):
    assert bounded_per_page(value, 25) == expected


@pytest.mark.parametrize("url", LISTS)
def test_per_page_sweep_on_every_list(client, secretariat, url):
    client_for(client, secretariat)
    default = client.get(url).context["table"].paginator.per_page
    assert 1 <= default <= MAX_PER_PAGE
    for value in VALUES:
        response = client.get(url, {"per_page": value})
        assert response.status_code == 200, (url, value)
        table = response.context["table"]
        size = table.paginator.per_page
        assert 1 <= size <= MAX_PER_PAGE, (url, value, size)
        assert len(table.page.object_list) <= MAX_PER_PAGE
        if value.lstrip("-").isdigit() and int(value) > MAX_PER_PAGE:
            assert size == MAX_PER_PAGE
        elif not value.isdigit() or int(value) < 1:
            assert size == default, (url, value)
    # A sensible value is honoured.
    assert client.get(url, {"per_page": "3"}).context["table"].paginator.per_page == 3
