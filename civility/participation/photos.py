"""Storing the photos of suggestions, activities and nominations.

Uploads are decoded and re-encoded by ``civility.supervision.photos.process_upload`` (the forms do
that); here the processed bytes are saved, and a suggestion's photos can be handed on as the
before-photos of the problems it becomes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.base import ContentFile

from civility.participation.models import ParticipationPhoto
from civility.supervision.photos import ProcessedPhoto


def attach_photos(
    photos: Iterable[ProcessedPhoto], *, by, suggestion=None, activity=None, nomination=None
) -> list[ParticipationPhoto]:
    saved = []
    for processed in photos:
        photo = ParticipationPhoto(
            suggestion=suggestion, activity=activity, nomination=nomination, uploaded_by=by
        )
        photo.image.save("photo.jpg", ContentFile(processed.image), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
        photo.width, photo.height = processed.width, processed.height
        photo.save()
        saved.append(photo)
    return saved


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
