"""Sign-in with throttling: repeated failures for one user name from one address block that pair
for a while, with a clear message; other users and other addresses can still sign in."""

import ipaddress

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.models import LoginFailure

# The documented set-up (README): nginx on the same host proxies to gunicorn on 127.0.0.1.
LOCAL_PROXIES = frozenset({"127.0.0.1", "::1"})


def client_ip(request) -> str | None:
    """The address failures are counted against.

    gunicorn leaves REMOTE_ADDR at the proxy's address (--forwarded-allow-ips only concerns the
    scheme), so behind nginx every request came from 127.0.0.1 and anyone could lock any user
    out. From a local proxy the client is the last X-Forwarded-For entry — the one nginx appended;
    entries left of it are whatever the client sent and are not trusted.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote in LOCAL_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded)) if forwarded else remote
        except ValueError:
            return remote
    return remote


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录失败次数过多，请 %(minutes)d 分钟后再试。"),
    }

    def _failures(self, username: str):
        since = timezone.now() - settings.LOGIN_FAILURE_WINDOW
        return LoginFailure.objects.filter(
            username=username, ip_address=client_ip(self.request), at__gte=since
        )

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and self._failures(username).count() >= settings.LOGIN_FAILURE_LIMIT:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": int(settings.LOGIN_FAILURE_WINDOW.total_seconds() // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if username and error.code == "invalid_login":
                LoginFailure.objects.create(username=username, ip_address=client_ip(self.request))
            raise
        self._failures(username).delete()
        return cleaned
