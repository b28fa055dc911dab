from django.urls import path, re_path, register_converter

from civility.reports.converters import MonthConverter, WeekConverter
from civility.reports.views import rankings, reports

register_converter(WeekConverter, "week")
register_converter(MonthConverter, "month")

urlpatterns = [
    path("reports/", reports.report_index, name="report_index"),
    path("reports/weekly/", reports.report_list, {"kind": "weekly"}, name="report_weekly_list"),
    path("reports/monthly/", reports.report_list, {"kind": "monthly"}, name="report_monthly_list"),
    path(
        "reports/weekly/<week:period>/",
        reports.report_detail,
        {"kind": "weekly"},
        name="report_weekly",
    ),
    path(
        "reports/monthly/<month:period>/",
        reports.report_detail,
        {"kind": "monthly"},
        name="report_monthly",
    ),
    path(
        "reports/monthly/<month:period>.docx",
        reports.report_docx,
        {"kind": "monthly"},
        name="report_monthly_docx",
    ),
    path(
        "reports/monthly/<month:period>.xlsx",
        reports.report_xlsx,
        {"kind": "monthly"},
        name="report_monthly_xlsx",
    ),
    path(
        "reports/weekly/<week:period>/print/",
        reports.report_print,
        {"kind": "weekly"},
        name="report_weekly_print",
    ),
    path(
        "reports/monthly/<month:period>/print/",
        reports.report_print,
        {"kind": "monthly"},
        name="report_monthly_print",
    ),
    path("reports/<int:pk>/photos/<int:photo_pk>/", reports.report_photo, name="report_photo"),
    re_path(
        r"^reports/(?P<kind>weekly|monthly)/(?P<period>\d{4}-W?\d{2})/compile/$",
        reports.report_compile,
        name="report_compile",
    ),
    re_path(
        r"^reports/(?P<kind>weekly|monthly)/(?P<period>\d{4}-W?\d{2})/edit/$",
        reports.report_edit,
        name="report_edit",
    ),
    re_path(
        r"^reports/(?P<kind>weekly|monthly)/(?P<period>\d{4}-W?\d{2})/publish/$",
        reports.report_publish,
        name="report_publish",
    ),
    re_path(
        r"^reports/(?P<kind>weekly|monthly)/(?P<period>\d{4}-W?\d{2})/correct/$",
        reports.report_correct,
        name="report_correct",
    ),
    path("rankings/", rankings.rankings, name="rankings"),
    path("rankings/annual/<int:year>/", rankings.annual, name="rankings_annual"),
    path("rankings/vetoes/", rankings.veto_list, name="veto_list"),
    path("rankings/vetoes/new/", rankings.veto_new, name="veto_new"),
]
