"""Helpers shared by the participation views: the headquarters of a page, HTMX or plain
responses after an action, and service errors put back on forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from civility.org.models import Headquarters


def headquarters_for(user) -> Headquarters | None:
    """The person's headquarters: their unit's, else the first one."""
    if getattr(user, "unit_id", None):
        return Headquarters.objects.filter(units=user.unit_id).first()
    return Headquarters.objects.order_by("id").first()


def is_partial(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.history_restore_request)


def put_errors(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: by field where it has one."""
    target = getattr(form, "extra", form)
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = field if field in target.fields else None
            for message in messages:
                target.add_error(name, message)
    else:
        for message in error.messages:
            target.add_error(None, message)


def modal_or_page(request, template: str, context: dict) -> HttpResponse:
    """An action form: into the modal for HTMX, as a page otherwise."""
    if is_partial(request):
        response = render(request, f"{template}#form", context)
        return reswap(retarget(response, "#modal .modal-body"), "innerHTML")
    context["standalone"] = True
    return render(request, template, context)


def refused(request, message: str, back_url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
    return render(
        request, "participation/refused.html", {"message": message, "back": back_url}, status=403
    )
