"""Shared helpers for django-tables2 + django-filter list views with HTMX.

A list page renders the whole page on a plain load and only its ``#table`` partial when HTMX
targets the table region (filter, sort, paginate). Exports produce exactly the filtered rows.
"""

import math

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2 import utils as tables2_utils
from django_tables2.export import ExportMixin

from civility.core import keyset
from civility.core.exports import ColumnReader, SafeTableExport
from civility.core.htmx import wants_partial

_uncached_signature = tables2_utils.signature
_signatures: dict = {}


def _cached_signature(fn):
    """django-tables2 inspects the signature of a render_/value_ method for every cell it draws
    or exports (``call_with_appropriate``): two thirds of a 10,000-row export's time. A function's
    signature never changes, so it is read once per function (bound methods by their function)."""
    key = getattr(fn, "__func__", fn)
    try:
        return _signatures[key, hasattr(fn, "__self__")]
    except (KeyError, TypeError):
        result = _uncached_signature(fn)
        try:
            _signatures[key, hasattr(fn, "__self__")] = result
        except TypeError:  # an unhashable callable
            pass
        return result


tables2_utils.signature = _cached_signature

# --- table bodies written in Python ----------------------------------------------------------

# Exactly the whitespace django_tables2/table.html puts around its rows and cells.
_TBODY_OPEN = "\n                <tbody {}>\n                "
_TBODY_CLOSE = "\n                </tbody>\n            "
_ROW_OPEN = "\n                    \n                    <tr {}>\n                        "
_ROW_CLOSE = "\n                    </tr>\n                    \n                "
_CELL = "\n                            <td {}>{}</td>\n                        "
_CELL_CONTEXT = Context()  # as table.html's {{ cell }}: autoescaped, localized


def _record_free_td(bound_column) -> bool:
    """A column whose <td> attributes do not depend on the row: none is computed (callable)."""
    attrs = {**bound_column._table.attrs, **bound_column.column.attrs}
    td = attrs.get("td", attrs.get("cell", {}))
    return not any(callable(value) for value in td.values())


class PythonRowsMixin:
    """A django-tables2 table whose body is written here instead of by table.html's loops
    (core/table.html uses ``tbody_html`` when it is not empty): the same HTML, character for
    character, without the template engine's lookups for each cell (~0.5 ms a row) and with each
    column's <td> attributes worked out once when they do not depend on the row.
    An empty page, and columns with ``localize``, keep the template's path."""

    @cached_property
    def tbody_html(self) -> str:
        rows = list(self.paginated_rows)
        columns = list(self.columns)
        if not rows or any(column.localize is not None for column in columns):
            return ""
        static = {}
        for column in columns:
            if _record_free_td(column):
                static[column.name] = conditional_escape(column.attrs["td"].as_html())
        model = getattr(self.data, "model", None) or self._meta.model
        readers = [(column, ColumnReader(column, model, render=True)) for column in columns]
        tbody = self.attrs.get("tbody")  # table.html prints nothing for a plain dict
        tbody_html = tbody.as_html() if hasattr(tbody, "as_html") else ""
        parts = [_TBODY_OPEN.format(conditional_escape(tbody_html))]
        for row in rows:
            parts.append(_ROW_OPEN.format(conditional_escape(row.attrs.as_html())))
            for column, reader in readers:
                cell = reader.read(row)
                td = static.get(column.name)
                if td is None:  # as BoundRow.items() sets them for computed attributes
                    column.current_value, column.current_record = cell, row.record
                    td = conditional_escape(column.attrs["td"].as_html())
                cell_html = render_value_in_context(cell, _CELL_CONTEXT)
                parts.append(_CELL.format(td, cell_html))
            parts.append(_ROW_CLOSE)
        parts.append(_TBODY_CLOSE)
        return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


TABLE_REGION = "table-region"
MAX_PER_PAGE = 200


COUNT_CAP = 2000
PAGE_WINDOW = 2  # pages shown either side of the current one
# Keyset lists: pages up to here are read with OFFSET (cheap near the front) and linked by
# number; beyond, only 上一页/下一页 (keyset cursors) lead on, and the window shows 1 … n.
FRONT_PAGES = 10
CURSOR = "cursor"  # the query parameter of keyset links


class ScalablePage(Page):
    keys: list | None = None  # the total ordering when the list pages by keyset
    records: list = []

    def has_next(self) -> bool:
        last = self.paginator.known_last
        return last is None or self.number < last

    @property
    def next_cursor(self) -> str:
        """下一页 continues after this page's last row (keyset lists only)."""
        if not self.keys or not self.records or not self.has_next():
            return ""
        return keyset.cursor_for(self.keys, self.records[-1], keyset.AFTER)

    @property
    def previous_cursor(self) -> str:
        """上一页 ends before this page's first row; page 1 is read plainly."""
        if not self.keys or not self.records or self.number <= 2:
            return ""
        return keyset.cursor_for(self.keys, self.records[0], keyset.BEFORE)

    @property
    def window(self) -> list:
        """Page numbers to link, with "…" for gaps; the last page only when it is known."""
        paginator, number = self.paginator, self.number
        last = paginator.known_last
        if self.keys and number > FRONT_PAGES:
            return [1, "...", number] + ([] if last == number else ["..."])
        low = max(1, number - PAGE_WINDOW)
        high = number + PAGE_WINDOW if last is None else min(last, number + PAGE_WINDOW)
        if last is None:
            high = min(high, number + 1)  # only the page we know exists
        pages: list = list(range(low, high + 1))
        if low > 1:
            pages = [1, "..."][: 1 if low == 2 else 2] + pages
        if last is not None and high < last:
            pages += ["...", last][1 if high == last - 1 else 0 :]
        elif last is None:
            pages.append("...")
        return pages


class ScalablePaginator(Paginator):
    """Pagination that never counts the whole list to show a page.

    A page is read with one row more than it shows: that row says whether a next page exists
    ("下一页"). The total is only counted when the page shows it, and then at most COUNT_CAP rows
    (``capped`` says the list is longer): a COUNT over half a million problems on every load was a
    third of the list's time.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *,
                 cursor: str | None = None, keyset: bool = False, **kw):  # fmt: skip
        super().__init__(object_list, per_page, 0, allow_empty_first_page, **kw)
        self.known_last: int | None = None
        self.cursor, self.use_keyset = cursor, keyset

    def validate_number(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("页码必须是整数") from None
        if number < 1:
            raise EmptyPage("页码必须大于 0")
        return number

    def page(self, number) -> ScalablePage:
        number = self.validate_number(number or 1)
        queryset = self._queryset() if self.use_keyset else None
        keys = keyset.keys_for(queryset) if queryset is not None else None
        if keys is not None:
            return self._keyset_page(number, keys)
        bottom = (number - 1) * self.per_page
        window = self.object_list[bottom : bottom + self.per_page + 1]
        # django-tables2 rows: read the records once, keep them as the rows' data.
        rows = window if hasattr(window, "table") else None
        records = list(rows.data if rows is not None else window)
        if not records and number > 1:
            raise EmptyPage("该页没有数据")
        if len(records) <= self.per_page:
            self.known_last = number
        records = records[: self.per_page]
        if rows is None:
            return ScalablePage(records, number, self)
        rows.data = records
        return ScalablePage(rows, number, self)

    def _keyset_page(self, number: int, keys: list) -> ScalablePage:
        """A page read after (下一页) or before (上一页) the row its cursor names, else with
        OFFSET, in the list's ordering made total by the primary key."""
        queryset, size = self._queryset(), self.per_page
        cursor = keyset.decode(self.cursor, keys) if number > 1 else None
        if cursor is None:
            bottom = (number - 1) * size
            records = list(keyset.order(queryset, keys)[bottom : bottom + size + 1])
            last_known = len(records) <= size
        else:
            direction, values = cursor
            forward = direction == keyset.AFTER
            records = list(keyset.seek(queryset, keys, values, forward=forward)[: size + 1])
            if not forward:
                records = records[:size][::-1]
            last_known = forward and len(records) <= size
        if not records and number > 1:
            raise EmptyPage("该页没有数据")
        if last_known:
            self.known_last = number
        records = records[:size]
        rows = self.object_list[0:0]
        if hasattr(rows, "table"):
            rows.data = records
        else:
            rows = records
        page = ScalablePage(rows, number, self)
        page.keys, page.records = keys, records
        return page

    def _queryset(self) -> QuerySet | None:
        data = getattr(getattr(self.object_list, "data", None), "data", self.object_list)
        return data if isinstance(data, QuerySet) else None

    @cached_property
    def count(self) -> int:
        # Counted even when the page already knows it (the last page), so a list costs the same
        # number of queries whatever its length.
        queryset = self._queryset()
        if queryset is None:
            return len(self.object_list)
        # In the list's own order: the database reads the rows the way it reads the page (an
        # index walk where the page has one), and stops after COUNT_CAP + 1.
        counted = queryset[: COUNT_CAP + 1].count()
        return min(counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.count >= COUNT_CAP

    @property
    def num_pages(self) -> int:
        """Only needed when a page number is out of range (then the count is read)."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.count / self.per_page))


def bounded_per_page(value, default: int) -> int:
    """``?per_page=`` as a page size: zero, negative or unreadable gives the default, more than
    MAX_PER_PAGE gives MAX_PER_PAGE (a negative size made the paginator fail, a huge one rendered
    the whole table)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    if number < 1:
        return default
    return min(number, MAX_PER_PAGE)


def bounded_paginator(base, default: int):
    """A paginator class for django-tables2 whose page size is always 1…MAX_PER_PAGE.

    django-tables2's RequestConfig reads ``per_page`` from the query string itself, after the view
    chose its defaults, so the bound is applied where the paginator is made.
    """

    def make(object_list, per_page, *args, **kwargs):
        return base(object_list, bounded_per_page(per_page, default), *args, **kwargs)

    return make


class HtmxTableView(ExportMixin, SingleTableMixin, FilterView):
    """Base for every table page: permission check, scoped queryset, partial or page, export."""

    paginate_by = 25
    # Deep pages by keyset (下一页/上一页 carry a cursor) instead of OFFSET: for lists that are
    # long and sorted on indexed columns.
    keyset = False
    export_formats = ("xlsx", "csv")
    export_class = SafeTableExport
    export_name = "export"
    # Filters render the table even when the form is invalid (e.g. a bad date): the form shows the
    # error and the rows are unfiltered rather than empty.
    strict = False

    def has_permission(self) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not self.has_permission():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_table_pagination(self, table):
        paginate = super().get_table_pagination(table)
        if paginate is False:
            return False
        default = bounded_per_page(
            paginate.get("per_page") or self.paginate_by or table._meta.per_page, 25
        )
        base = paginate.get("paginator_class") or ScalablePaginator
        if base is Paginator:
            base = ScalablePaginator
        extra = {"keyset": True, "cursor": self.request.GET.get(CURSOR)} if self.keyset else {}
        return {
            **paginate,
            **extra,
            "per_page": default,
            "paginator_class": bounded_paginator(base, default),
        }

    def get_paginate_by(self, queryset):
        """The table paginates (ScalablePaginator); ListView must not paginate (and count) too."""
        return None

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        page = getattr(table, "page", None)
        if page is not None:
            self.decorate_page([row.record for row in page.object_list])
        return table

    def decorate_page(self, records: list) -> None:
        """Add what only the shown rows need (counts…) with one query for the page, instead of
        annotating every row of the list before the page is picked."""

    @property
    def exporting(self) -> bool:
        return self.export_trigger_param in self.request.GET

    def get_template_names(self):
        if wants_partial(self.request, TABLE_REGION):
            return [f"{self.template_name}#table"]
        return [self.template_name]

    def get_export_filename(self, export_format):
        return f"{self.export_name}-{timezone.localdate():%Y%m%d}.{export_format}"

    def create_export(self, export_format):
        response = super().create_export(export_format)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.get_export_filename(export_format)
        )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table_region"] = TABLE_REGION
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("page", None)
        query.pop(CURSOR, None)
        context["export_query"] = query.urlencode()
        return context
