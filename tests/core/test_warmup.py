"""A fresh worker compiles the templates and loads the URLconf when it starts (wsgi.py), so the
first request after a deploy does not pay for them (issue 10, cold loads)."""

import importlib
import logging
import sys

from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader

from civility.core.warmup import project_templates, warm_up


def cached_loader() -> CachedLoader:
    loader = engines["django"].engine.template_loaders[0]
    assert isinstance(loader, CachedLoader)  # Django's default, also with DEBUG
    return loader


def test_project_templates_lists_the_templates_folder():
    names = project_templates()
    assert "base.html" in names
    assert "core/home.html" in names
    assert "supervision/commentary/_inbox.html" in names
    assert all(not name.startswith("/") for name in names)


def test_warm_up_compiles_every_project_template_without_a_warning(caplog):
    loader = cached_loader()
    loader.reset()
    with caplog.at_level(logging.WARNING, logger="civility.core.warmup"):
        spent = warm_up()
    assert set(spent) == {"urls", "i18n", "templates"}
    assert caplog.records == []
    compiled = {key for key in loader.get_template_cache}
    assert set(project_templates()) <= compiled


def test_wsgi_application_warms_up_when_loaded():
    loader = cached_loader()
    loader.reset()
    module = sys.modules.get("civility.wsgi")
    if module is None:
        importlib.import_module("civility.wsgi")
    else:
        importlib.reload(module)
    assert "core/home.html" in loader.get_template_cache
    assert "reports/dashboard.html" in loader.get_template_cache
