"""Partial or page: decided once, from the element HTMX swaps; caches keep the two apart."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxMiddleware

from civility.core.htmx import MODAL_BODY, wants_partial


def request_with(**headers):
    request = RequestFactory().get("/", headers=headers)
    HtmxMiddleware(lambda r: HttpResponse())(request)
    return request


def test_wants_partial_when_htmx_targets_one_of_the_regions():
    request = request_with(**{"HX-Request": "true", "HX-Target": MODAL_BODY})
    assert wants_partial(request, MODAL_BODY)
    assert wants_partial(request, "problem-main", MODAL_BODY)


def test_wants_partial_not_for_another_target_or_none():
    assert not wants_partial(request_with(**{"HX-Request": "true", "HX-Target": "x"}), MODAL_BODY)
    assert not wants_partial(request_with(**{"HX-Request": "true"}), MODAL_BODY)
    assert not wants_partial(request_with(**{"HX-Target": MODAL_BODY}), MODAL_BODY)


def test_wants_partial_not_for_a_history_restore():
    request = request_with(
        **{
            "HX-Request": "true",
            "HX-Target": "table-region",
            "HX-History-Restore-Request": "true",
        }
    )
    assert not wants_partial(request, "table-region")


def test_wants_partial_without_the_middleware_is_false():
    assert not wants_partial(RequestFactory().get("/"), MODAL_BODY)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("problem_list", "table-region"),
        ("commentary_list", "table-region"),
        ("notification_list", "notification-region"),
    ],
)
def test_partial_and_full_responses_vary_on_hx_request(client, secretariat, name, target):
    client.force_login(secretariat)
    partial = client.get(reverse(name), headers={"HX-Request": "true", "HX-Target": target})
    full = client.get(reverse(name))
    assert b"<html" not in partial.content and b"<html" in full.content
    for response in (partial, full):
        vary = [v.strip() for v in response["Vary"].split(",")]
        assert vary.count("HX-Request") == 1
