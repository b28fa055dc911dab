"""Admin for the organisation and standards (SPEC §2–3), kept for daily use by the campaign office.

One module per area; importing them here registers every ModelAdmin when Django autodiscovers
``civility.org.admin``. 责任分解 (Assignment), what the office edits most, is in ``assignments``.
"""

from civility.org.admin import assignments, organisation, standards

__all__ = ["assignments", "organisation", "standards"]
