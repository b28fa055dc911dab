"""Who may see problems and take each workflow action on them (SPEC §1, §4 column "who").

The state part of an action is checked by the workflow table; these answer "may this person"."""

from django.core.cache import cache
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact, IsNull

from civility.core.permissions import (
    has_role,
    is_secretariat,
    is_unit_liaison,
    sees_everything,
    signed_in,
)
from civility.core.roles import Role
from civility.supervision.problems.models import Problem


def sees_all_problems(user) -> bool:
    return signed_in(user) and (sees_everything(user) or user.has_role(Role.INSPECTOR))


MANY = 5000  # a unit in this many problems or more reads its list by walking an index
PLAN_CACHE_SECONDS = 300


def _unit_counts(unit_id: int) -> tuple[int, int]:
    """(problems where the unit is primary, its cooperating links), each counted up to MANY
    (one bounded query), cached: either answer gives the same rows; it only picks the plan."""
    key = f"unit-counts:{unit_id}:{MANY}"
    known = cache.get(key)
    if known is not None:
        return known
    links = Problem.cooperating_units.through._meta.db_table
    problems = Problem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {problems} WHERE primary_unit_id = %s"
            f" LIMIT %s) a), (SELECT COUNT(*) FROM (SELECT 1 FROM {links} WHERE unit_id = %s"
            " LIMIT %s) b)",
            [unit_id, MANY, unit_id, MANY],
        )
        counts = tuple(cursor.fetchone())
    cache.set(key, counts, PLAN_CACHE_SECONDS)
    return counts


def unit_sees_many(unit_id: int) -> bool:
    """Whether a unit is primary or cooperating on MANY problems or more.

    The UNION below gathers the whole set before sorting it: right for a community with a few
    hundred problems, slow for a department cooperating on a third of the city's (2.5 s). Such
    a unit's list walks the sort index and checks each row with index probes instead."""
    return sum(_unit_counts(unit_id)) >= MANY


def _unit_condition(unit_id: int, *, walk: bool = False) -> Q:
    """Primary, or cooperating. A unit cooperating on MANY problems or more is checked with one
    probe of the link table's (problem, unit) index per row, through a scalar subquery:
    PostgreSQL turned EXISTS under OR into a hashed subplan that first read all of a
    department's links (~136,000, ~120 ms at 500k) before the list's first row. With fewer
    links, ``pk IN (the unit's links)``, which both databases read once into a hash or a list
    that each walked row is looked up in. SQLite would rather read the unit's problems and
    links through their indexes (MULTI-INDEX OR) and then sort them all, joins included (a
    street's page: ~70 ms at 500k); for a list read page by page in its order (``walk``),
    ``primary_unit_id + 0`` keeps it walking the covering sort index of 0013 (the page: 5 ms,
    the capped count: 22 ms). Counting all of them (the inbox) is better served the first way."""
    links = Problem.cooperating_units.through.objects.filter(unit_id=unit_id)
    if _unit_counts(unit_id)[1] < MANY:
        primary = Q(primary_unit_id=unit_id)
        if walk and connection.vendor == "sqlite":
            primary = Q(Exact(F("primary_unit_id") + 0, unit_id))
        return primary | Q(pk__in=links.values("problem_id"))
    probe = links.filter(problem_id=OuterRef("pk")).values("problem_id")[:1]
    return Q(primary_unit_id=unit_id) | Q(IsNull(Subquery(probe), False))


def problems_visible_to(user, *, walk: bool = False) -> QuerySet:
    """Secretariat, leaders and inspectors see every problem; a liaison sees problems where their
    unit is primary or cooperating; a representative sees what they reported or their teams
    found.

    The restricted cases are a UNION of indexed lookups (primary_unit, the cooperating-units link
    table's unit_id, ...) rather than an OR across a join, which scanned the whole problem table
    at city scale. ``walk``: the rows are read a page at a time in the list's order (the
    problem list), which picks the plan for a busy unit, not the rows."""
    qs = Problem.objects.all()
    if not signed_in(user):
        return qs.none()
    if sees_all_problems(user):
        return qs
    parts = []
    liaison = user.has_role(Role.LIAISON) and user.unit_id
    if liaison and not user.has_role(Role.REPRESENTATIVE) and unit_sees_many(user.unit_id):
        return qs.filter(_unit_condition(user.unit_id, walk=walk))
    if liaison:
        parts.append(Problem.objects.filter(primary_unit_id=user.unit_id).values("pk"))
        links = Problem.cooperating_units.through.objects.filter(unit_id=user.unit_id)
        parts.append(links.values("problem_id"))
    if user.has_role(Role.REPRESENTATIVE):
        parts.append(Problem.objects.filter(reported_by=user).values("pk"))
        parts.append(Problem.objects.filter(inspection__team__members=user).values("pk"))
    if not parts:
        return qs.none()
    return qs.filter(pk__in=parts[0].union(*parts[1:]))


def can_view_problem(user, problem) -> bool:
    return problems_visible_to(user).filter(pk=problem.pk).exists()


def can_view_problems(user) -> bool:
    return signed_in(user) and (
        user.is_superuser
        or bool(
            user.role_names
            & {
                r.value
                for r in (Role.SECRETARIAT, Role.LEADER, Role.INSPECTOR, Role.REPRESENTATIVE)
            }
        )
        or (user.has_role(Role.LIAISON) and user.unit_id is not None)
    )


def can_report_problem(user) -> bool:
    """Inspectors log inspections and problems; the secretariat may too."""
    return has_role(user, Role.INSPECTOR) or is_secretariat(user)


# Transition predicates (SPEC §4, column "who"). They answer "may this person take this action on
# this problem", the state part is checked by the workflow table.


def can_assign(user, problem) -> bool:
    if is_secretariat(user):
        return True
    # 现场交办: an inspector may hand a problem on the spot to the site's default unit.
    return has_role(user, Role.INSPECTOR) and problem.site.default_unit_id is not None


def can_void(user, problem) -> bool:
    return is_secretariat(user)


def can_acknowledge(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id) and problem.acknowledged_at is None


def can_submit(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id)


def can_dispute(user, problem) -> bool:
    return is_unit_liaison(user, problem.primary_unit_id)


def can_reassign(user, problem) -> bool:
    return is_secretariat(user)


def can_reject_dispute(user, problem) -> bool:
    return is_secretariat(user)


def can_review(user, problem) -> bool:
    return has_role(user, Role.INSPECTOR) or is_secretariat(user)


def can_escalate(user, problem) -> bool:
    return has_role(user, Role.LEADER) or is_secretariat(user)


def can_request_extension(user, problem) -> bool:
    return (
        is_unit_liaison(user, problem.primary_unit_id)
        and problem.deadline is not None
        and not problem.extension_requests.filter(status="pending").exists()
    )


def can_decide_extension(user, problem) -> bool:
    return is_secretariat(user) and problem.extension_requests.filter(status="pending").exists()


def can_bulk_assign(user) -> bool:
    """批量交办 from the problem list: the secretariat only (inspectors 交办 one at a time)."""
    return is_secretariat(user)
