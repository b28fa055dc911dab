"""Create the demo logins (one per role) for a headquarters loaded from fixtures.

Idempotent: users are updated in place, groups set, and the password only re-hashed when it no
longer matches. Refuses to run with DEBUG off (the password is public) unless --force is given.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civility.core.models import User
from civility.core.roles import Role
from civility.org.models import Headquarters, Leader, Unit
from civility.supervision.inspections.models import InspectionTeam

DEMO_PASSWORD = "civility-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[Role, ...]
    name: str = ""
    title: str = ""
    unit: str | None = None  # unit name within the headquarters
    is_staff: bool = False
    is_superuser: bool = False
    leader: bool = False  # link to the headquarters' 常务副总指挥 and take its name and title


DEMO_USERS = (
    DemoUser(
        "admin",
        (Role.SECRETARIAT,),
        name="系统管理员",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "secretariat", (Role.SECRETARIAT,), name="陈秘书", title="区文明办干部", is_staff=True
    ),
    DemoUser("leader", (Role.LEADER,), leader=True),
    DemoUser("inspector", (Role.INSPECTOR,), name="周志刚", title="创建办督查组督查员"),
    DemoUser(
        "liaison",
        (Role.LIAISON,),
        name="林晓燕",
        title="湖里街道创建办联络员",
        unit="湖里街道",
    ),
    DemoUser(
        "liaison2",
        (Role.LIAISON,),
        name="郭建华",
        title="区城市管理行政执法局联络员",
        unit="区城市管理行政执法局",
    ),
    DemoUser("representative", (Role.REPRESENTATIVE,), name="黄丽萍", title="区人大代表"),
)


# Inspection teams the demo users sit on (SPEC §1: an inspector on the 区级领导督查组 and the
# 创建办督查组; the representative on the 人大代表政协委员巡视组).
TEAMS = {
    "inspector": ["区级领导督查组", "创建办督查组"],
    "representative": ["人大代表政协委员巡视组"],
}


class Command(BaseCommand):
    help = "创建演示账号（每个角色一个，密码 civility-demo）。仅用于开发/演示环境。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="即使 DEBUG 关闭也创建（演示账号密码公开，切勿用于生产环境）",
        )
        parser.add_argument(
            "--headquarters",
            default="HL",
            metavar="CODE",
            help="指挥部编号前缀（默认 HL）",
        )

    def handle(self, *args, force: bool, headquarters: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭（生产环境）：演示账号的密码是公开的，拒绝创建。"
                "如确需在此环境创建，请加 --force。"
            )
        with transaction.atomic():
            users = self.create_users(headquarters)
        self.print_table(users)

    def create_users(self, code: str) -> list[User]:
        load_hint = "请先加载基础数据：python manage.py loaddata fixtures/huli.json"
        hq = Headquarters.objects.filter(code=code).first()
        if hq is None:
            raise CommandError(f"未找到编号为 {code} 的指挥部。{load_hint}")
        leader = Leader.objects.filter(
            headquarters=hq, hq_role=Leader.HqRole.EXECUTIVE_DEPUTY
        ).first()
        if leader is None:
            raise CommandError(f"指挥部 {hq} 没有常务副总指挥。{load_hint}")
        unit_names = {d.unit for d in DEMO_USERS if d.unit}
        units = {u.name: u for u in Unit.objects.filter(headquarters=hq, name__in=unit_names)}
        missing = sorted(unit_names - units.keys())
        if missing:
            raise CommandError(f"指挥部 {hq} 缺少单位：{'、'.join(missing)}。{load_hint}")
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        if len(groups) != len(Role):
            raise CommandError("角色用户组不完整：请先运行 python manage.py migrate。")

        users = []
        for demo in DEMO_USERS:
            user, created = User.objects.update_or_create(
                username=demo.username,
                defaults={
                    "name": leader.name if demo.leader else demo.name,
                    "title": leader.title if demo.leader else demo.title,
                    "unit": units[demo.unit] if demo.unit else None,
                    "is_staff": demo.is_staff,
                    "is_superuser": demo.is_superuser,
                    "is_active": True,
                },
            )
            # Hashing is deliberately slow: only re-hash when the password no longer matches.
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.set([groups[r.value] for r in demo.roles])
            if demo.leader and leader.user_id != user.pk:
                # The link is one-to-one: release it from any other leader record first.
                Leader.objects.filter(user=user).exclude(pk=leader.pk).update(user=None)
                leader.user = user
                leader.save(update_fields=["user"])
            users.append(user)
        self.join_teams(hq, {u.username: u for u in users})
        return users

    def join_teams(self, hq, users: dict[str, User]) -> None:
        """Put the demo inspector and representative on their inspection teams (if loaded)."""

        for username, team_names in TEAMS.items():
            for team in InspectionTeam.objects.filter(headquarters=hq, name__in=team_names):
                team.members.add(users[username])

    def print_table(self, users: list[User]) -> None:
        rows = [("用户名", "姓名", "角色", "所属单位")]
        for user in users:
            roles = user.role_labels
            if user.is_superuser:
                roles += "（超级管理员）"
            rows.append((user.username, user.name, roles, str(user.unit or "")))
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write(self.style.SUCCESS(f"已创建/更新 {len(users)} 个演示账号："))
        for i, row in enumerate(rows):
            cells = [cell + " " * (widths[j] - _width(cell)) for j, cell in enumerate(row)]
            self.stdout.write("  " + "  ".join(cells).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(f"密码（全部账号）：{DEMO_PASSWORD}")


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
