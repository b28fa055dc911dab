"""The organisation of a city-sized district for ``seed_city``: streets, communities, departments,
sites and one liaison per unit, added to a headquarters loaded from fixtures/.

Deterministic: names come from fixed pools in a fixed order; nothing that exists is changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from civility.core.models import User
from civility.core.roles import Role
from civility.demo.texts import GIVEN_NAME_CHARS, SURNAMES
from civility.org.models import Headquarters, Site, SiteType, Unit

STREETS = "筼筜 鹭江 中华 滨海 梧村 开元 厦港 莲前 嘉莲 鼓浪屿 杏林 集美 侨英 灌口 后溪"
DEPARTMENTS = (
    "区档案局 区统计局 区审计局 区司法局 区民政局 区财政局 区人社局 区科技局 区商务局 区文旅局 "
    "区卫健局 区应急局 区市场监管局 区园林局 区水利局 区供销社 区信访局 区机关事务局 区侨务办 "
    "区融媒体中心 区红十字会 区残联 区妇联 区团委 区工商联 区科协 区总工会 区文联"
)
COMMUNITY_WORDS = (
    "东 西 南 北 中 新 老 安 和 康 福 乐 兴 华 盛 平 泰 祥 瑞 丰 源 湖 江 海 山 林 园 桥 港 湾 "
    "阳 光 明 春 秋 翠 锦 兰 竹 松"
).split()
ROAD_WORDS = (
    "湖滨 嘉禾 仙岳 莲花 吕岭 金尚 育秀 县后 枋湖 浦南 古楼 高林 五缘 钟宅 坂尚 濠头 "
    "塘边 后坑 围里 东渡 海天 兴隆 长浩 安岭 悦华 华泰 乌石浦 双十 凤屿 东芳"
).split()
ROAD_SUFFIXES = ("路", "街", "巷", "里")
# Units in a city-sized district (issue 11): 593 units and 3,455 sites.
TARGET_UNITS = 593
TARGET_SITES = 3455
TARGET_INSPECTORS = 40


@dataclass
class CityOrg:
    """What the history writer needs, as plain ids."""

    hq: Headquarters
    streets: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    sites: list[tuple[int, int, int, int | None, int]] = field(default_factory=list)
    # site id -> (street id, default unit id, community id or None, site type id)
    liaison_of: dict[int, int] = field(default_factory=dict)  # unit id -> user id
    inspectors: list[int] = field(default_factory=list)
    secretariat: int = 0
    leader: int = 0


def _next_pk(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_NAME_CHARS) for _ in range(2))


def build_org(hq: Headquarters, rng: random.Random, say) -> CityOrg:
    """Grow the headquarters to a city-sized district and return its ids."""
    _units(hq)
    say(f"单位 {Unit.objects.filter(headquarters=hq).count()} 个")
    _sites(hq, rng)
    say(f"点位 {Site.objects.filter(headquarters=hq).count()} 个")
    _users(hq, rng)
    return _read(hq)


def _units(hq: Headquarters) -> None:
    existing = set(Unit.objects.filter(headquarters=hq).values_list("name", flat=True))
    count = len(existing)
    new: list[Unit] = []

    def add(**kwargs) -> Unit | None:
        nonlocal count
        if kwargs["name"] in existing or count >= TARGET_UNITS:
            return None
        existing.add(kwargs["name"])
        count += 1
        unit = Unit(headquarters=hq, **kwargs)
        new.append(unit)
        return unit

    for order, name in enumerate(STREETS.split()[:10], start=20):
        add(
            name=f"{name}街道",
            short_name=name,
            kind=Unit.Kind.STREET,
            order=order,
            is_committee_member=True,
        )
    for order, name in enumerate(DEPARTMENTS.split()[:20], start=60):
        add(name=name, kind=Unit.Kind.DEPARTMENT, order=order, is_committee_member=True)
    Unit.objects.bulk_create(new)
    new.clear()
    streets = list(Unit.objects.filter(headquarters=hq, kind=Unit.Kind.STREET).order_by("id"))
    pairs = [(a, b) for a in COMMUNITY_WORDS for b in COMMUNITY_WORDS if a != b]
    index = 0
    while count < TARGET_UNITS and index < len(pairs) * len(streets):
        street = streets[index % len(streets)]
        a, b = pairs[(index // len(streets)) % len(pairs)]
        add(
            name=f"{street.display_name[:2]}{a}{b}社区",
            kind=Unit.Kind.COMMUNITY,
            parent=street,
            order=200 + index // len(streets),
        )
        index += 1
    Unit.objects.bulk_create(new)


def _sites(hq: Headquarters, rng: random.Random) -> None:
    existing = set(Site.objects.filter(headquarters=hq).values_list("name", flat=True))
    types = list(SiteType.objects.filter(headquarters=hq).order_by("order", "id"))
    streets = list(Unit.objects.filter(headquarters=hq, kind=Unit.Kind.STREET).order_by("id"))
    communities: dict[int, list[Unit]] = {}
    for unit in Unit.objects.filter(headquarters=hq, kind=Unit.Kind.COMMUNITY).order_by("id"):
        communities.setdefault(unit.parent_id, []).append(unit)
    departments = list(
        Unit.objects.filter(headquarters=hq, kind=Unit.Kind.DEPARTMENT).order_by("id")
    )
    sites, links = [], []
    through = Site.cooperating_units.through
    pk = _next_pk(Site)
    number = 0
    while len(existing) < TARGET_SITES:
        number += 1
        street = streets[number % len(streets)]
        kind = types[rng.randrange(len(types))]
        road = f"{rng.choice(ROAD_WORDS)}{rng.choice(ROAD_SUFFIXES)}"
        name = f"{street.display_name[:2]}{road}{kind.name}"
        if name in existing:
            name = f"{name}{number}号"
        if name in existing:
            continue
        existing.add(name)
        community = rng.choice(communities[street.pk]) if communities.get(street.pk) else None
        default = community if community is not None and rng.random() < 0.6 else street
        sites.append(
            Site(
                pk=pk,
                headquarters=hq,
                name=name,
                type=kind,
                street=street,
                community=community,
                address=f"{street.name}{road}{number % 300 + 1}号",
                default_unit=default,
            )
        )
        if rng.random() < 0.5:
            links.append(through(site_id=pk, unit_id=rng.choice(departments).pk))
        pk += 1
    Site.objects.bulk_create(sites, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)


def _users(hq: Headquarters, rng: random.Random) -> None:
    """One liaison for every unit without one, and a pool of inspectors; no usable password
    (the benchmark signs them in without one)."""
    password = make_password(None)
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    covered = set(
        User.objects.filter(groups__name=Role.LIAISON, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    units = Unit.objects.filter(headquarters=hq).exclude(pk__in=covered).order_by("id")
    liaisons = [
        User(
            username=f"city-liaison-{unit.pk}",
            name=_person(rng),
            unit=unit,
            title=f"{unit.name}联络员",
            password=password,
        )
        for unit in units
    ]
    inspectors = [
        User(
            username=f"city-inspector-{n:02d}", name=_person(rng), title="督查员", password=password
        )
        for n in range(1, TARGET_INSPECTORS + 1)
        if not User.objects.filter(username=f"city-inspector-{n:02d}").exists()
    ]
    User.objects.bulk_create(liaisons + inspectors)
    memberships = User.groups.through
    names = [u.username for u in liaisons + inspectors]
    rows = [
        memberships(
            user_id=user.pk,
            group_id=groups[Role.LIAISON if user.unit_id else Role.INSPECTOR].pk,
        )
        for user in User.objects.filter(username__in=names)
    ]
    memberships.objects.bulk_create(rows)


def _read(hq: Headquarters) -> CityOrg:
    org = CityOrg(hq=hq)
    units = Unit.objects.filter(headquarters=hq, active=True).order_by("id")
    org.streets = [u.pk for u in units if u.kind == Unit.Kind.STREET]
    org.departments = [u.pk for u in units if u.kind == Unit.Kind.DEPARTMENT]
    org.sites = list(
        Site.objects.filter(headquarters=hq, active=True)
        .order_by("id")
        .values_list("id", "street_id", "default_unit_id", "community_id", "type_id")
    )
    for user_id, unit_id in (
        User.objects.filter(groups__name=Role.LIAISON, unit__isnull=False)
        .order_by("-id")
        .values_list("id", "unit_id")
    ):
        org.liaison_of[unit_id] = user_id  # the earliest liaison of a unit wins
    org.inspectors = list(
        User.objects.filter(groups__name=Role.INSPECTOR).order_by("id").values_list("id", flat=True)
    )
    org.secretariat = (
        User.objects.filter(groups__name=Role.SECRETARIAT)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    org.leader = (
        User.objects.filter(groups__name=Role.LEADER)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
        or org.secretariat
    )
    return org
