"""The admin of 督查点评 lives in its areas; importing them here registers them."""

from civility.supervision.commentary import admin as commentary_admin
from civility.supervision.drives import admin as drives_admin
from civility.supervision.inspections import admin as inspections_admin
from civility.supervision.notifications import admin as notifications_admin
from civility.supervision.problems import admin as problems_admin

__all__ = [
    "commentary_admin",
    "drives_admin",
    "inspections_admin",
    "notifications_admin",
    "problems_admin",
]
