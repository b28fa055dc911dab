from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "civility.org"
    label = "org"
    verbose_name = "组织与标准"
