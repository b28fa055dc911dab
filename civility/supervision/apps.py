from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "civility.supervision"
    label = "supervision"
    verbose_name = "督查点评"
