"""The English translation: the language cookie switches the pages to English, the catalogue is
complete and compiled, and every choice label (roles, workflow actions, model choices) is in it."""

import gettext as gettext_module
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from civility.core.roles import Role
from civility.supervision.problems import workflow
from tests.conftest import client_for
from tests.factories import problem_in, street_site

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE / "django.po"
MO_FILE = LOCALE / "django.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")
NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


# --- reading the .po file --------------------------------------------------------------------


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), body)


def po_entries() -> list[dict]:
    """The active entries of the English .po file: msgid, msgid_plural, msgstr list and flags."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not lines:
            continue
        entry = {"msgid": None, "msgid_plural": None, "msgstr": [], "flags": set()}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if key == "msgstr":
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
            else:
                keyword, value = line.split(" ", 1)
                if keyword.startswith("msgstr"):
                    key = "msgstr"
                    entry["msgstr"].append(_unquote(value))
                elif keyword in ("msgid", "msgid_plural"):
                    key = keyword
                    entry[keyword] = _unquote(value)
                elif keyword == "msgctxt":
                    key = "msgctxt"
                    entry["msgctxt"] = _unquote(value)
        if entry["msgid"]:  # the header has an empty msgid
            entries.append(entry)
    return entries


def choice_labels() -> dict[str, str]:
    """Every label of every Choices class the pages show: {label: where it is defined}."""
    classes = {"Role": Role, "Action": workflow.Action}
    for model in apps.get_app_configs():
        if not model.name.startswith("civility"):
            continue
        for cls in model.get_models():
            for name, value in vars(cls).items():
                if inspect.isclass(value) and issubclass(value, models.Choices):
                    classes[f"{cls.__name__}.{name}"] = value
    labels = {}
    for where, cls in classes.items():
        for member in cls:
            if member.label != "—":
                labels[str(member.label)] = where
    return labels


# --- the catalogue ---------------------------------------------------------------------------


def test_po_every_msgid_has_a_translation():
    entries = po_entries()
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert untranslated == []


def test_po_has_no_fuzzy_entries():
    assert [e["msgid"] for e in po_entries() if "fuzzy" in e["flags"]] == []


def test_po_plural_entries_have_both_forms():
    plurals = [e for e in po_entries() if e["msgid_plural"] is not None]
    assert plurals
    assert [e["msgid"] for e in plurals if len(e["msgstr"]) != 2] == []


def test_po_translations_keep_the_placeholders():
    wrong = [
        (e["msgid"], s)
        for e in po_entries()
        for s in e["msgstr"]
        if set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(e["msgid"]))
    ]
    assert wrong == []


def test_po_translations_are_english():
    # 简体中文 is the language switch's own name for Chinese; everything else is English.
    chinese = [
        e["msgid"]
        for e in po_entries()
        for s in e["msgstr"]
        if CJK.search(s) and e["msgid"] != "简体中文"
    ]
    assert chinese == []


def test_mo_file_exists_and_matches_the_po():
    assert MO_FILE.exists(), "run: manage.py compilemessages -l en --ignore=.venv"
    with MO_FILE.open("rb") as handle:
        catalog = gettext_module.GNUTranslations(handle)
    stale = []
    for entry in po_entries():
        if entry["msgid_plural"] is None:
            if catalog.gettext(entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        elif catalog.ngettext(entry["msgid"], entry["msgid_plural"], 2) != entry["msgstr"][1]:
            stale.append(entry["msgid"])
    assert stale == [], "the .mo is older than the .po: run compilemessages -l en"


def test_choice_labels_are_all_in_the_catalogue():
    msgids = {e["msgid"] for e in po_entries()}
    missing = {label: where for label, where in choice_labels().items() if label not in msgids}
    assert missing == {}, "add them to civility/core/choice_labels.py and run makemessages"


def test_choice_labels_module_lists_only_real_labels():
    module = importlib.import_module("civility.core.choice_labels")
    known = set(choice_labels())
    extra = [label for label in module.LABELS if label not in known]
    # The grades of reports.scoring (合格 and 不合格 are also the results of a 测评 item).
    assert extra == ["优秀", "良好"]


def test_translated_choices_follow_the_active_language():
    from civility.core.choice_labels import translated
    from civility.supervision.problems.models import Problem

    choices = translated(Problem.Status.choices)
    with translation.override("en"):
        assert dict((v, str(label)) for v, label in choices)["reported"] == "To assign"
    with translation.override("zh-hans"):
        assert dict((v, str(label)) for v, label in choices)["reported"] == "待交办"


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_with_english_cookie_shows_english_navigation(client, leader):
    client_for(client, leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    nav = NAV.search(response.content.decode()).group(0)
    for label in ("Home", "Inspections", "Problems", "Bulletins", "Rankings", "Organisation"):
        assert f">{label}</a>" in nav
    assert not CJK.search(nav), nav


@pytest.mark.django_db
def test_home_without_cookie_is_chinese(client, leader):
    client_for(client, leader)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    nav = NAV.search(response.content.decode()).group(0)
    for label in ("首页", "督查", "问题", "通报", "考评排名", "组织架构"):
        assert f">{label}</a>" in nav
    assert "Problems" not in nav


@pytest.mark.django_db
def test_home_with_english_cookie_formats_dates_in_english(client, leader):
    client_for(client, leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    today = timezone.localdate()
    assert f"{today:%A}, {today.day} {today:%B %Y}" in html
    assert f"{today.year}年{today.month}月{today.day}日" not in html


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_chinese(client, leader):
    client_for(client, leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "zh-hans"
    assert ">问题</a>" in response.content.decode()


@pytest.mark.django_db
def test_problem_list_with_english_cookie_translates_table_and_filters(client, secretariat):
    client_for(client, secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("problem_list")).content.decode()
    for text in ("Primary unit", "Reported at", "All statuses", ">To assign<", ">To rectify<"):
        assert text in html
    for text in ("主责单位", "全部状态", ">待交办<", "没有符合条件的问题"):
        assert text not in html


@pytest.mark.django_db
def test_problem_detail_with_english_cookie_shows_english_status_and_buttons(
    client, secretariat, liaison, inspector, street
):
    problem = problem_in(
        "assigned",
        secretariat=secretariat,
        liaison=liaison,
        inspector=inspector,
        site=street_site(street),
    )
    client_for(client, liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("problem_detail", args=[problem.number])).content.decode()
    assert 'id="problem-status">To rectify</span>' in html
    assert ">Acknowledge</button>" in html or ">Acknowledge</a>" in html
    assert "Milestones" in html
    assert ">签收<" not in html and "待整改" not in html


@pytest.mark.django_db
def test_problem_detail_without_cookie_keeps_chinese_buttons(
    client, secretariat, liaison, inspector, street
):
    problem = problem_in(
        "assigned",
        secretariat=secretariat,
        liaison=liaison,
        inspector=inspector,
        site=street_site(street),
    )
    client_for(client, liaison)
    html = client.get(reverse("problem_detail", args=[problem.number])).content.decode()
    assert 'id="problem-status">待整改</span>' in html
    assert ">签收</button>" in html or ">签收</a>" in html


@pytest.mark.django_db
def test_bulk_assign_message_is_translated(secretariat):
    from civility.supervision.problems.views import bulk_assign

    with translation.override("en"):
        assert bulk_assign(secretariat, []) == ("Tick the problems to assign first.", "error")
    with translation.override("zh-hans"):
        assert bulk_assign(secretariat, [])[0] == "请先勾选要交办的问题。"


def test_english_catalogue_has_no_fuzzy_entries():
    """msgfmt leaves fuzzy entries out of the .mo, so they would show in Chinese."""
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po"
    flags = [line for line in po.read_text(encoding="utf-8").splitlines() if line.startswith("#,")]
    assert not [line for line in flags if "fuzzy" in line]
