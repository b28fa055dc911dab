"""Sending in-app notifications: ``notify`` and the usual recipients. Each area decides what to say
(the workflow after commit, commentary when issued, the periodic reminders)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from civility.core.models import User
from civility.core.roles import Role
from civility.supervision.notifications.models import Notification


def liaisons(unit_ids: Iterable[int]):
    """The active liaisons of these units."""
    return User.objects.filter(
        unit_id__in=list(unit_ids), groups__name=Role.LIAISON, is_active=True
    ).distinct()


def secretariat():
    """The active members of the 创建办."""
    return User.objects.filter(groups__name=Role.SECRETARIAT, is_active=True).distinct()


_sink: ContextVar[Callable[[list[Notification]], None] | None] = ContextVar(
    "notification_sink", default=None
)


@contextmanager
def collected(sink: Callable[[list[Notification]], None]) -> Iterator[None]:
    """Hand the rows ``notify`` would insert to ``sink`` instead (the demo stamps them in the
    past and inserts them in bulk)."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def notify(users, kind: str, text: str, *, problem=None, commentary=None, url: str = "") -> int:
    rows = [
        Notification(
            user=user, kind=kind, text=text[:300], problem=problem, commentary=commentary, url=url
        )
        for user in users
    ]
    sink = _sink.get()
    if sink is not None:
        sink(rows)
        return len(rows)
    # ignore_conflicts: the periodic kinds are unique per (user, kind, problem), so a second run
    # (or a second server) inserts nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
