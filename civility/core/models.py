from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from civility.core.roles import Role


class User(AbstractUser):
    """A person who signs in. Chinese names are one field; a liaison belongs to exactly one unit."""

    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    title = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="联络员必须属于且仅属于一个责任单位。",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name()

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_authenticated:
            return frozenset()
        # groups.all() so that a prefetch_related("groups") on a list is used.
        return frozenset(group.name for group in self.groups.all())

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]

    @property
    def role_labels(self) -> str:
        return "、".join(role.label for role in self.roles)

    @property
    def is_liaison(self) -> bool:
        return self.has_role(Role.LIAISON)


class LoginFailure(models.Model):
    """One failed sign-in, kept to throttle guessing per (user name, address)."""

    username = models.CharField("用户名", max_length=150)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        indexes = [models.Index(fields=["username", "ip_address", "at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(username=""), name="loginfailure_username_set")
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address}"


class LoginThrottle(models.Model):
    """Failed sign-ins counted in a window, one row per key: a (user name, address) pair and the
    user name across all addresses. A row is incremented under a row lock before the password is
    checked, so concurrent attempts can never be evaluated more often than the limit."""

    key = models.CharField("键", max_length=255, unique=True)
    username = models.CharField("用户名", max_length=150, db_index=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    window_start = models.DateTimeField("计数开始")

    class Meta:
        verbose_name = "登录锁定计数"
        verbose_name_plural = "登录锁定计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
