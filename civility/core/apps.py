from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civility.core"
    label = "core"
    verbose_name = "用户与角色"
