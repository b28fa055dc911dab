"""Serving a stored photo's file, once the caller has decided that this person may see it.

Every photo view follows one pattern: look the photo up, ask the owning app's predicate
(``can_view_photo`` in ``supervision.permissions`` or ``participation.permissions``), and answer
404 for a missing photo, a person who may not see it and a missing file alike, so that nobody
learns whether a photo exists.
"""

from __future__ import annotations

from django.http import FileResponse, Http404

NOT_FOUND = "照片不存在"


def serve_photo(photo, *, thumb: bool = False) -> FileResponse:
    """The photo's JPEG (or thumbnail), cached privately; Http404 when it or its file is gone."""
    field = None
    if photo is not None:
        field = photo.thumbnail if thumb else photo.image
    if not field:
        raise Http404(NOT_FOUND)
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(NOT_FOUND) from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
