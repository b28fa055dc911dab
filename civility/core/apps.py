from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "civility.core"
    label = "core"
    verbose_name = "用户与角色"

    def ready(self):
        # Each app's home.py registers its navigation entries and home sections (core/registry.py),
        # found the way the admin finds admin.py, so core never names an app.
        autodiscover_modules("home")
