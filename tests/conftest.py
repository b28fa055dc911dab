"""Shared test set-up: the Huli fixtures loaded once per session, and named personas.

Personas (STYLE.md): secretariat, leader, inspector, liaison (湖里街道), other_liaison (a district
department), representative, and the anonymous client.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from civility.core.roles import Role
from tests.factories import street_site

FIXTURES = sorted(str(p) for p in (Path(__file__).parent.parent / "fixtures").glob("*.json"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def load_huli() -> None:
    if FIXTURES:
        call_command("loaddata", *FIXTURES, verbosity=0)


def pytest_configure(config):
    from django.conf import settings

    # Hashing test passwords with the production hasher costs ~0.2 s per persona.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # An in-memory SQLite test database is shared by every thread of the live server through a
    # single connection, which breaks when a page loads several photos at once. A file database
    # gives each request its own connection (WAL, busy timeout), as in production. Each
    # pytest-xdist worker (PYTEST_XDIST_WORKER: gw0, gw1 …) has its own folder and so its own file
    # (pytest-django also suffixes the name with the worker id); the pid keeps parallel runs apart.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        import tempfile

        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        folder = Path(tempfile.gettempdir()) / f"civility-tests-{worker}-{os.getpid()}"
        folder.mkdir(exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
        config._civility_db_folder = folder


def pytest_unconfigure(config):
    folder = getattr(config, "_civility_db_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded photos go to a temporary directory, never into the project."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached plans, counts and throttles keyed by ids that
    the next test's rows reuse must not carry over."""
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_huli()


def _flushes_database(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & {"live_server", "transactional_db", "live_huli"}:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Transactional tests (browser journeys, races) flush the database when they end, taking the
    session's fixture data with them, so they run after everything else.

    Browser tests need Chromium; locally they are skipped without it, in CI they fail.
    """
    items.sort(key=_flushes_database)
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    for item in items:
        if "browser" in item.keywords:
            if IN_CI:
                raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}")
            item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))


def make_user(username: str, *roles: Role, unit=None, **extra):
    from civility.core.models import User

    user = User.objects.create_user(
        username=username,
        password="test-password-123",
        name=extra.pop("name", username),
        unit=unit,
        **extra,
    )
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    return user


@pytest.fixture
def hq(db):
    from civility.org.models import Headquarters

    return Headquarters.objects.get(code="HL")


@pytest.fixture
def street(hq):
    from civility.org.models import Unit

    return Unit.objects.get(headquarters=hq, name="湖里街道")


@pytest.fixture
def site(street):
    """A site in 湖里街道 whose default (块) unit is the street."""
    return street_site(street)


@pytest.fixture
def department(hq):
    from civility.org.models import Unit

    return Unit.objects.get(headquarters=hq, name="区城市管理行政执法局")


@pytest.fixture
def secretariat(db):
    return make_user("t_secretariat", Role.SECRETARIAT, is_staff=True)


@pytest.fixture
def leader(db):
    return make_user("t_leader", Role.LEADER)


@pytest.fixture
def inspector(db):
    return make_user("t_inspector", Role.INSPECTOR)


@pytest.fixture
def liaison(street):
    return make_user("t_liaison", Role.LIAISON, unit=street)


@pytest.fixture
def other_liaison(department):
    return make_user("t_liaison2", Role.LIAISON, unit=department)


@pytest.fixture
def representative(db):
    return make_user("t_representative", Role.REPRESENTATIVE)


@pytest.fixture
def superuser(db):
    from civility.core.models import User

    return User.objects.create_superuser("t_admin", password="test-password-123")


def client_for(client, user):
    client.force_login(user)
    return client


@contextmanager
def rolled_back():
    """A savepoint that is always rolled back: several attempts can start from one set-up."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- browser tests --------------------------------------------------------------------------
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test
# (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
    }


@pytest.fixture
def live_huli(transactional_db):
    """Transactional tests flush the database afterwards, so they load the data they need."""
    from django.contrib.auth.models import Permission

    from civility.core.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    load_huli()


def browser_login(page, live_server, username: str, password: str = "test-password-123"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
