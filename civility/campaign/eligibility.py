"""评先评优资格 (SPEC §6–7): the campaign's name for ``civility.reports.eligibility``, where
scoring reads it (a 一票否决 or a 取消评先评优资格 of the year, each from its moment)."""

from civility.reports.eligibility import ineligible_units

__all__ = ["ineligible_units"]
