"""Photos of suggestions, activities and nominations, and the photos of the problems a
suggestion became (shown to its representative, who cannot open the problems themselves): each
only for people who may see what it belongs to; 404 for everyone else."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from civility.participation.models import ParticipationPhoto
from civility.participation.permissions import can_view_photo, suggestions_visible_to
from civility.supervision.photo_views import NOT_FOUND, serve_photo
from civility.supervision.problems.models import Photo


@login_required
def participation_photo(request, pk: int, thumb: bool = False):
    photo = ParticipationPhoto.objects.select_related("nomination__selection").filter(pk=pk).first()
    if photo is None or not can_view_photo(request.user, photo):
        raise Http404(NOT_FOUND)
    return serve_photo(photo, thumb=thumb)


@login_required
def suggestion_problem_photo(request, pk: int, photo_pk: int, thumb: bool = False):
    """A photo of a problem made of this suggestion, for whoever may see the suggestion."""
    if not suggestions_visible_to(request.user).filter(pk=pk).exists():
        raise Http404(NOT_FOUND)
    photo = Photo.objects.filter(pk=photo_pk, problem__suggestions=pk).first()
    return serve_photo(photo, thumb=thumb)
