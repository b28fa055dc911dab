"""Shared helpers for django-tables2 + django-filter list views with HTMX.

A list page renders the whole page on a plain load and only its ``#table`` partial when HTMX
targets the table region (filter, sort, paginate). Exports produce exactly the filtered rows.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from civility.core.exports import SafeTableExport
from civility.core.htmx import wants_partial

TABLE_REGION = "table-region"


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
