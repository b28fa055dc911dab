"""Shared helpers for django-tables2 + django-filter list views with HTMX.

A list page renders the whole page on a plain load and only its ``#table`` partial when HTMX
targets the table region (filter, sort, paginate). Exports produce exactly the filtered rows.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from civility.core.exports import SafeTableExport
from civility.core.htmx import wants_partial

TABLE_REGION = "table-region"
MAX_PER_PAGE = 200


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
        default = bounded_per_page(paginate.get("per_page") or table._meta.per_page, 25)
        base = paginate.get("paginator_class", Paginator)
        return {
            **paginate,
            "per_page": default,
            "paginator_class": bounded_paginator(base, default),
        }

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
        context["export_query"] = query.urlencode()
        return context
