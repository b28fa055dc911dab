"""Sign-in with throttling (issue 10).

Two counters per attempt: the user name from one address (LOGIN_FAILURE_LIMIT) and the user name
from all addresses together (LOGIN_ACCOUNT_FAILURE_LIMIT, so rotating addresses does not help).
An attempt first takes a slot in both counters under a row lock; only then is the password
checked. Concurrent attempts therefore never get more evaluations than the limit, on SQLite
(IMMEDIATE transactions serialise writers) and on PostgreSQL (SELECT ... FOR UPDATE). A right
password gives the slot back and clears both counters; the secretariat can unlock a user in the
admin (用户 → 解除登录锁定).
"""

import ipaddress
import math
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.models import LoginFailure, LoginThrottle


def _networks(values) -> list:
    networks = []
    for value in values or ():
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            continue
    return networks


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The address failures are counted against.

    X-Forwarded-For is read only when the direct peer (REMOTE_ADDR) is one of TRUSTED_PROXIES
    (addresses or networks; default: none). Then the entries are read from the right, skipping
    trusted proxies; the first other entry is the client (what a proxy in front of us saw).
    Everything left of it was written by the client and is never trusted.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(getattr(settings, "TRUSTED_PROXIES", ()))
    if not remote or not networks or not _is_trusted(remote, networks):
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for entry in reversed([e for e in entries if e]):
        try:
            address = str(ipaddress.ip_address(entry))
        except ValueError:
            return remote  # a malformed entry: count against the proxy itself
        if not _is_trusted(address, networks):
            return address
    return remote


def throttle_keys(username: str, ip: str | None) -> tuple[str, str]:
    """(account key, address key) of the LoginThrottle rows for this attempt."""
    return f"user:{username}", f"addr:{ip or '-'}:{username}"


def unlock(username: str) -> int:
    """Lift every sign-in lock of ``username``; the number of counters removed."""
    LoginFailure.objects.filter(username=username).delete()
    deleted, _rows = LoginThrottle.objects.filter(username=username).delete()
    return deleted


class Throttled(Exception):
    def __init__(self, code: str, until: datetime):
        super().__init__(code)
        self.code, self.until = code, until


def reserve_attempt(username: str, ip: str | None, now: datetime | None = None) -> None:
    """Take one slot in both counters, or raise Throttled (nothing is counted then)."""
    now = now or timezone.now()
    window = settings.LOGIN_FAILURE_WINDOW
    account_key, address_key = throttle_keys(username, ip)
    limits = {
        account_key: ("account_locked", settings.LOGIN_ACCOUNT_FAILURE_LIMIT),
        address_key: ("throttled", settings.LOGIN_FAILURE_LIMIT),
    }
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=k, username=username, window_start=now) for k in sorted(limits)],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        rows = list(
            LoginThrottle.objects.select_for_update().filter(key__in=limits).order_by("key")
        )
        for row in rows:
            if row.window_start <= now - window:
                row.failures, row.window_start = 0, now
                row.save(update_fields=["failures", "window_start"])
        for row in sorted(rows, key=lambda r: limits[r.key][0]):  # account_locked first
            code, limit = limits[row.key]
            if row.failures >= limit:
                raise Throttled(code, row.window_start + window)
        LoginThrottle.objects.filter(pk__in=[r.pk for r in rows]).update(failures=F("failures") + 1)


def release_attempt(username: str, ip: str | None) -> None:
    """Give the slot back (the attempt was not a wrong password, e.g. an empty field)."""
    LoginThrottle.objects.filter(key__in=throttle_keys(username, ip), failures__gt=0).update(
        failures=F("failures") - 1
    )


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录失败次数过多，请 %(minutes)d 分钟后再试。"),
        "account_locked": _(
            "该账号登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试；"
            "如需立即解锁，请联系创建办。"
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The login form is novalidate: these say in Chinese what is missing.
        self.fields["username"].error_messages["required"] = _("请输入用户名。")
        self.fields["password"].error_messages["required"] = _("请输入密码。")

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username:
            try:
                reserve_attempt(username, ip)
            except Throttled as error:
                seconds = (error.until - timezone.now()).total_seconds()
                raise forms.ValidationError(
                    self.error_messages[error.code],
                    code=error.code,
                    params={"minutes": max(1, math.ceil(seconds / 60))},
                ) from None
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if username and error.code == "invalid_login":
                LoginFailure.objects.create(username=username, ip_address=ip)
            elif username:
                release_attempt(username, ip)
            raise
        if self.user_cache is None:
            # A field was left empty, so no password was checked: give the slot back, but never
            # clear the counters (an empty password would otherwise reset them).
            if username:
                release_attempt(username, ip)
            return cleaned
        if username:
            LoginFailure.objects.filter(username=username, ip_address=ip).delete()
            LoginThrottle.objects.filter(key__in=throttle_keys(username, ip)).delete()
        return cleaned
