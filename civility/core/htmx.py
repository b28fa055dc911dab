"""Small helpers shared by HTMX views: partial-or-page choice, modal forms and toasts.

``Vary: HX-Request`` is added to every response by ``core.middleware.VaryOnHtmxMiddleware``, so
views never set it themselves.
"""

from django.http import HttpResponse
from django_htmx.http import trigger_client_event

MODAL_BODY = "modal-body"  # the id of the modal dialog's body (base.html)


def wants_partial(request, *targets: str) -> bool:
    """True when HTMX asks to swap one of ``targets`` (element ids), so a fragment will do.

    Decided from ``request.htmx.target``: any other HTMX request, and a history restore (which
    also sends HX-Request but needs the whole page), gets the full page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx and htmx.target in targets and not htmx.history_restore_request)


def toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Show a toast in the browser after the swap (``level``: success, error, info)."""
    return trigger_client_event(response, "toast", {"message": str(message), "level": level})


def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "closeModal", {})
