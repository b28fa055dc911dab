"""Photos of suggestions, activities and nominations, and the photos of the problems a
suggestion became (shown to its representative, who cannot open the problems themselves): each
only for people who may see what it belongs to; 404 for everyone else."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from civility.participation.models import ParticipationPhoto
from civility.participation.permissions import (
    activities_visible_to,
    nominations_visible_to,
    suggestions_visible_to,
)
from civility.supervision.problems.models import Photo


def _serve(field) -> FileResponse:
    if not field:
        raise Http404("照片不存在")
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("照片不存在") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def can_view_participation_photo(user, photo: ParticipationPhoto) -> bool:
    if photo.suggestion_id:
        return suggestions_visible_to(user).filter(pk=photo.suggestion_id).exists()
    if photo.activity_id:
        return activities_visible_to(user).filter(pk=photo.activity_id).exists()
    nomination = photo.nomination
    return nominations_visible_to(user, nomination.selection).filter(pk=nomination.pk).exists()


@login_required
def participation_photo(request, pk: int, thumb: bool = False):
    photo = ParticipationPhoto.objects.select_related("nomination__selection").filter(pk=pk).first()
    if photo is None or not can_view_participation_photo(request.user, photo):
        raise Http404("照片不存在")
    return _serve(photo.thumbnail if thumb else photo.image)


@login_required
def suggestion_problem_photo(request, pk: int, photo_pk: int, thumb: bool = False):
    """A photo of a problem made of this suggestion, for whoever may see the suggestion."""
    if not suggestions_visible_to(request.user).filter(pk=pk).exists():
        raise Http404("照片不存在")
    photo = Photo.objects.filter(pk=photo_pk, problem__suggestions=pk).first()
    if photo is None:
        raise Http404("照片不存在")
    return _serve(photo.thumbnail if thumb else photo.image)
