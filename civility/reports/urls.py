from django.urls import path, register_converter

from civility.reports.converters import (
    MonthConverter,
    PeriodConverter,
    ReportKindConverter,
    WeekConverter,
)
from civility.reports.views import annual, documents, rankings, reports, signoff, units, vetoes

register_converter(WeekConverter, "week")
register_converter(MonthConverter, "month")
register_converter(PeriodConverter, "period")
register_converter(ReportKindConverter, "report_kind")

urlpatterns = [
    path("reports/", reports.report_index, name="report_index"),
    path("reports/weekly/", reports.report_list, {"kind": "weekly"}, name="report_weekly_list"),
    path("reports/monthly/", reports.report_list, {"kind": "monthly"}, name="report_monthly_list"),
    path(
        "reports/weekly/<week:period>/",
        documents.report_detail,
        {"kind": "weekly"},
        name="report_weekly",
    ),
    path(
        "reports/monthly/<month:period>/",
        documents.report_detail,
        {"kind": "monthly"},
        name="report_monthly",
    ),
    path(
        "reports/monthly/<month:period>.docx",
        documents.report_docx,
        {"kind": "monthly"},
        name="report_monthly_docx",
    ),
    path(
        "reports/monthly/<month:period>.xlsx",
        documents.report_xlsx,
        {"kind": "monthly"},
        name="report_monthly_xlsx",
    ),
    path(
        "reports/weekly/<week:period>.docx",
        documents.report_docx,
        {"kind": "weekly"},
        name="report_weekly_docx",
    ),
    path(
        "reports/weekly/<week:period>.xlsx",
        documents.report_xlsx,
        {"kind": "weekly"},
        name="report_weekly_xlsx",
    ),
    path(
        "reports/weekly/<week:period>/print/",
        documents.report_print,
        {"kind": "weekly"},
        name="report_weekly_print",
    ),
    path(
        "reports/monthly/<month:period>/print/",
        documents.report_print,
        {"kind": "monthly"},
        name="report_monthly_print",
    ),
    path("reports/<int:pk>/photos/<int:photo_pk>/", documents.report_photo, name="report_photo"),
    path(
        "reports/<report_kind:kind>/<period:period>/compile/",
        reports.report_compile,
        name="report_compile",
    ),
    path(
        "reports/<report_kind:kind>/<period:period>/edit/",
        documents.report_edit,
        name="report_edit",
    ),
    path(
        "reports/<report_kind:kind>/<period:period>/publish/",
        documents.report_publish,
        name="report_publish",
    ),
    path(
        "reports/<report_kind:kind>/<period:period>/correct/",
        documents.report_correct,
        name="report_correct",
    ),
    path(
        "reports/<report_kind:kind>/<period:period>/sign/",
        signoff.report_sign,
        name="report_sign",
    ),
    path(
        "reports/<report_kind:kind>/<period:period>/remind/",
        signoff.report_remind,
        name="report_remind",
    ),
    path("rankings/", rankings.rankings, name="rankings"),
    path("rankings/annual/<int:year>/", annual.annual, name="rankings_annual"),
    path("units/<int:pk>/", units.unit_page, name="unit_page"),
    path("rankings/vetoes/", vetoes.veto_list, name="veto_list"),
    path("rankings/vetoes/new/", vetoes.veto_new, name="veto_new"),
]
