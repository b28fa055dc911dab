from django.apps import AppConfig


class CampaignConfig(AppConfig):
    """The campaign's other levers (SPEC §7): drive pages, 问责 and 文明荣誉称号动态管理."""

    name = "civility.campaign"
    label = "campaign"
    verbose_name = "创建抓手"
