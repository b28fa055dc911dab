"""The person's notifications: list, open (marks read and follows the link), mark all read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civility.core.htmx import toast, wants_partial
from civility.supervision.notifications.models import Notification

PER_PAGE = 30
REGION = "notification-region"
TEMPLATE = "supervision/notifications/list.html"


def _page(request):
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    return Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))


@login_required
def notification_list(request):
    template = f"{TEMPLATE}#list" if wants_partial(request, REGION) else TEMPLATE
    return render(request, template, {"page": _page(request), "region": REGION})


@require_POST
@login_required
def notifications_read_all(request):
    marked = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if wants_partial(request, REGION):
        # The list region, and the bell in the top bar swapped out-of-band (count now zero).
        context = {"page": _page(request), "region": REGION, "refresh_bell": True}
        response = render(request, f"{TEMPLATE}#list", context)
        if marked:
            message = ngettext(
                "已将 %(n)s 条通知标为已读。", "已将 %(n)s 条通知标为已读。", marked
            ) % {"n": marked}
        else:
            message = _("没有未读通知。")
        return toast(response, message)
    return redirect("notification_list")


@login_required
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notification_list")
