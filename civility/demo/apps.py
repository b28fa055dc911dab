from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo history (``seed_demo``) and demo logins (``demo_users``).

    It drives the product through the same functions the pages use; product code never imports it.
    """

    name = "civility.demo"
    label = "demo"
    verbose_name = "演示数据"
