from importlib import import_module

from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "civility.participation"
    label = "participation"
    verbose_name = "全民参与"

    def ready(self):
        # A suggestion turned into problems follows them: suggestions.py connects its receiver
        # for the problems' event trail when it is imported (the workflow knows nothing of
        # suggestions). Imported by name, as Django's docs import signal modules in ready().
        import_module(f"{self.name}.suggestions")
