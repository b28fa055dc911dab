"""What each app offers the pages that gather several apps: navigation entries, home sections and
the sections of a unit's page.

``core`` knows no app. Each app registers its parts in its ``AppConfig.ready()``; the base layout
and the home page ask this registry what to show to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    """A link in the top navigation, shown to whoever ``visible(user)`` allows."""

    key: str
    label: str
    url_name: str
    order: int
    visible: Callable
    prefix: str  # the URL prefix of the pages that belong to it


@dataclass(frozen=True)
class HomeSection:
    """A part of the home page: ``context(request)`` returns what ``template`` needs, or None
    when the section is not for this person."""

    key: str
    template: str
    order: int
    context: Callable


@dataclass(frozen=True)
class UnitSection:
    """A part of a unit's page (/units/<pk>/): ``context(request, unit)`` returns what ``template``
    needs, or None when there is nothing to show this person."""

    key: str
    template: str
    order: int
    context: Callable


_nav: dict[str, NavEntry] = {}
_unit: dict[str, UnitSection] = {}
_home: dict[str, HomeSection] = {}


def register_nav(entry: NavEntry) -> None:
    _nav[entry.key] = entry


def register_home_section(section: HomeSection) -> None:
    _home[section.key] = section


def register_unit_section(section: UnitSection) -> None:
    _unit[section.key] = section


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: e.order)


def home_sections() -> list[HomeSection]:
    return sorted(_home.values(), key=lambda s: s.order)


def unit_sections() -> list[UnitSection]:
    return sorted(_unit.values(), key=lambda s: s.order)
