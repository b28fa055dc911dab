"""Helpers that put problems into a given state through the workflow (never by writing status)."""

import functools
import io

from PIL import Image

from civility.org.models import ProblemCategory, Site, Unit
from civility.supervision.photos import process_upload
from civility.supervision.problems import workflow
from civility.supervision.problems.models import Problem

A = workflow.Action


def jpeg_bytes(color="red", size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


@functools.cache
def photo(color="green"):
    return process_upload(io.BytesIO(jpeg_bytes(color)))


def street_site(street: Unit) -> Site:
    """A site whose default (块) unit is the given street, so its liaison is the primary unit's."""
    site = Site.objects.filter(street=street).first()
    site.default_unit = street
    site.save(update_fields=["default_unit"])
    return site


def new_problem(reporter, site, category=None) -> Problem:
    category = category or ProblemCategory.objects.filter(headquarters=site.headquarters).first()
    problem, _ = workflow.report_problem(
        by=reporter,
        site=site,
        category=category,
        description="路口占道经营，影响通行。",
        photos=[photo("red")],
    )
    return problem


def problem_in(state: str, *, secretariat, liaison, inspector, site) -> Problem:
    """A problem in ``state`` (plus "pending_extension": 待整改 with a pending 申请延期)."""
    problem = new_problem(inspector, site)
    if state == "reported":
        return problem
    if state == "void":
        return workflow.perform(problem, A.VOID, by=secretariat, note="重复上报")
    problem = workflow.perform(problem, A.ASSIGN, by=secretariat, unit=liaison.unit)
    if state == "assigned":
        return problem
    if state == "pending_extension":
        return workflow.perform(
            problem,
            A.REQUEST_EXTENSION,
            by=liaison,
            note="需协调施工队",
            deadline=problem.deadline + _days(3),
        )
    if state == "disputed":
        return workflow.perform(problem, A.DISPUTE, by=liaison, note="该路段不属我单位管辖")
    problem = workflow.perform(problem, A.SUBMIT, by=liaison, note="已清理", photos=[photo()])
    if state == "submitted":
        return problem
    assert state == "closed"
    return workflow.perform(problem, A.APPROVE, by=inspector)


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)
