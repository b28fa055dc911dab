"""Work a fresh server process does once, before its first request instead of during it.

Django loads the URLconf (and with it every view module, openpyxl and python-docx), fills the
reverse-URL table, reads the translation catalogues and compiles templates lazily, on the first
request that needs them: after a deploy or a worker restart, the first person paid about a second
for it (issue 10: a leader's home, the annual assessment and the first Word download). ``warm_up()``
is called by ``wsgi.py`` when the worker loads the application. It reads nothing from the
database. ``freeze_heap()`` then puts what start-up left alive out of the garbage collector's way.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver, reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the project's own templates (the TEMPLATES DIRS), e.g. "core/home.html"."""
    names = []
    for engine in settings.TEMPLATES:
        for folder in map(Path, engine.get("DIRS", [])):
            names += sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    return names


def warm_up() -> dict[str, float]:
    """Import every view, fill the URL tables, load the catalogue and compile the project's
    templates into the cached loader; seconds spent on each."""
    spent: dict[str, float] = {}
    start = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    spent["urls"] = time.perf_counter() - start

    start = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):
        reverse("home")  # fills the reverse table (one per language)
        translation.gettext("首页")  # reads the catalogues
        spent["i18n"] = time.perf_counter() - start

        start = time.perf_counter()
        django_engine = engines["django"]
        for name in project_templates():
            try:
                django_engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError) as error:
                logger.warning("warm-up: template %s: %s", name, error)
    spent["templates"] = time.perf_counter() - start
    return spent


def freeze_heap() -> None:
    """Collect once, then move every object alive after start-up (modules, views, URL tables,
    compiled templates: ~130,000 objects) to the collector's permanent generation.

    Without it each full (oldest-generation) collection walks that start-up heap again: on a
    busy 2-core box ~150 ms, landing in one request out of a few — the p95 of the pages that
    build many rows was twice their median (issue 11). Frozen, such a collection walks only
    what requests left behind (a few ms). Objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()
