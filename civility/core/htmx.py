"""Small helpers shared by HTMX views: partial-or-page choice, modal forms and toasts."""

from django.http import HttpResponse
from django_htmx.http import trigger_client_event


def wants_partial(request, target: str) -> bool:
    """True when HTMX asks to swap ``#target`` (not for history restores, which need the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and htmx.target == target and not htmx.history_restore_request)


def toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Show a toast in the browser after the swap (``level``: success, error, info)."""
    return trigger_client_event(response, "toast", {"message": str(message), "level": level})


def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "closeModal", {})
