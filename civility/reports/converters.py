"""URL converters: ``<week:period>``, ``<month:period>`` and ``<period:period>`` hand the view a
``Period``. A string that has the right shape but names no real week or month (``2026-W54``,
``2026-13``) raises ValueError in ``to_python``, which Django turns into a 404."""

from civility.core.periods import MONTH, WEEK, Period


class PeriodConverter:
    """Either kind of period; the view checks it against the report kind in the URL."""

    regex = r"\d{4}-W?\d{2}"
    kind: str | None = None

    def to_python(self, value: str) -> Period:
        return Period.parse(value, self.kind)

    def to_url(self, value: Period | str) -> str:
        if not isinstance(value, Period):
            # Its URL form, as templates write it; Django still matches it against ``regex``
            # and the view answers 404 for a period that does not exist.
            return str(value)
        if self.kind is not None and value.kind != self.kind:
            raise ValueError(value)
        return value.slug


class WeekConverter(PeriodConverter):
    regex = r"\d{4}-W\d{2}"
    kind = WEEK


class MonthConverter(PeriodConverter):
    regex = r"\d{4}-\d{2}"
    kind = MONTH


class ReportKindConverter:
    regex = "weekly|monthly"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
