"""What 督查点评 offers the navigation and the home page (registered in core/registry.py): an
inspector's desk and a liaison's inbox (problems, then 书面点评 to sign or answer)."""

from django.utils.translation import gettext_lazy as _

from civility.core.registry import HomeSection, NavEntry, register_home_section, register_nav
from civility.supervision.commentary import inbox as commentary_inbox
from civility.supervision.commentary.permissions import can_view_commentary_list
from civility.supervision.inspections import desk
from civility.supervision.inspections.permissions import can_view_inspections
from civility.supervision.problems import inbox
from civility.supervision.problems.permissions import can_view_problems

register_nav(
    NavEntry("inspections", _("督查"), "inspection_list", 10, can_view_inspections, "/inspections/")
)
register_nav(NavEntry("problems", _("问题"), "problem_list", 20, can_view_problems, "/problems/"))
register_nav(
    NavEntry(
        "commentary", _("点评"), "commentary_list", 50, can_view_commentary_list, "/commentary/"
    )
)
register_home_section(
    HomeSection("inspector", "supervision/inspections/_desk.html", 20, desk.home_section)
)
register_home_section(
    HomeSection("inbox", "supervision/problems/_inbox.html", 30, inbox.home_section)
)
register_home_section(
    HomeSection(
        "commentary_inbox", "supervision/commentary/_inbox.html", 31, commentary_inbox.home_section
    )
)
