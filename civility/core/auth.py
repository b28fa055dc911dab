"""Sign-in with throttling: repeated failures for one user name from one address block that pair
for a while, with a clear message; other users and other addresses can still sign in."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.core.models import LoginFailure


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's address behind nginx; gunicorn's --forwarded-allow-ips together
    # with a proxy that sets X-Forwarded-For is the documented way to get the real one.
    return request.META.get("REMOTE_ADDR") or None


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
