"""What the campaign's levers offer the navigation, the home page and a unit's page (registered
in core/registry.py): drives, 问责 with the open suggestions, honours."""

from django.utils.translation import gettext_lazy as _

from civility.campaign.permissions import can_view_drives
from civility.core.registry import NavEntry, register_nav

register_nav(NavEntry("drives", _("专项行动"), "drive_list", 35, can_view_drives, "/drives/"))
