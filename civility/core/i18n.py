"""The language of texts that are stored rather than shown.

Choice labels are lazy: they follow the language of whoever is looking. A text written into the
database (a notification, a report's data) is read later by other people, so it is composed in
the site's language (settings.LANGUAGE_CODE) whatever the language of the person whose action
wrote it.
"""

from django.conf import settings
from django.utils import translation


def site_language() -> translation.override:
    """``with site_language(): ...`` composes stored texts in the site's language."""
    return translation.override(settings.LANGUAGE_CODE)
