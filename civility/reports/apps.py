from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "civility.reports"
    label = "reports"
    verbose_name = "通报与考评"
