"""Storing the photos of suggestions, activities and nominations.

Uploads are decoded and re-encoded by ``civility.supervision.photos.process_upload`` (the forms do
that); here the processed bytes are saved through ``store_photos``, like a problem's photos, and a
suggestion's photos can be handed on as the before-photos of the problems it becomes.
"""

from __future__ import annotations

from collections.abc import Iterable

from civility.participation.models import ParticipationPhoto
from civility.supervision.photos import ProcessedPhoto, store_photos


def attach_photos(
    photos: Iterable[ProcessedPhoto], *, by, suggestion=None, activity=None, nomination=None
) -> list[ParticipationPhoto]:
    """Store processed photos for one suggestion, activity or nomination, the way a problem's
    photos are stored (files removed again when saving fails; see ``store_photos``)."""
    return store_photos(
        photos,
        lambda: ParticipationPhoto(
            suggestion=suggestion, activity=activity, nomination=nomination, uploaded_by=by
        ),
    )


def as_processed(photo: ParticipationPhoto) -> ProcessedPhoto | None:
    """A stored photo as processed bytes again (already clean: it was re-encoded on upload), or
    None when its file is gone."""
    try:
        with photo.image.open("rb") as image, photo.thumbnail.open("rb") as thumb:
            return ProcessedPhoto(
                image=image.read(), thumbnail=thumb.read(), width=photo.width, height=photo.height
            )
    except (FileNotFoundError, OSError, ValueError):
        return None
