"""Rules that span the areas of 督查点评: photos belong to a problem or to a commentary."""

from civility.supervision.commentary.permissions import commentary_visible_to
from civility.supervision.problems.permissions import problems_visible_to


def can_view_photo(user, photo) -> bool:
    if photo.problem_id:
        return problems_visible_to(user).filter(pk=photo.problem_id).exists()
    return commentary_visible_to(user).filter(pk=photo.commentary_id).exists()
