from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.cache import patch_vary_headers

# Pixels photo decoding may still use in the current request (None outside requests).
_pixel_budget: ContextVar[list[int] | None] = ContextVar("pixel_budget", default=None)


def take_pixels(count: int) -> bool:
    """Spend ``count`` decoded pixels of this request's budget; False when it is exhausted."""
    budget = _pixel_budget.get()
    if budget is None:
        return True
    if count > budget[0]:
        return False
    budget[0] -= count
    return True


@contextmanager
def pixel_budget(pixels: int):
    """Cap the photo pixels decoded inside the block (a request, a test, a command)."""
    token = _pixel_budget.set([pixels])
    try:
        yield
    finally:
        _pixel_budget.reset(token)


class PixelBudget:
    """Each request may decode at most settings.PHOTO_MAX_PIXELS_PER_REQUEST photo pixels."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        with pixel_budget(settings.PHOTO_MAX_PIXELS_PER_REQUEST):
            return self.get_response(request)


class VaryOnHtmxMiddleware:
    """Pages answer HTMX requests with a partial and plain requests with the full page, so caches
    must key on the HX-Request header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class LanguageMiddleware:
    """Chinese unless the person chose otherwise with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would show an
    English-configured office PC a half-translated page; here only the language cookie (set by
    the switch in the footer) changes the default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
