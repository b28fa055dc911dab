from django.urls import path, register_converter

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
    path("rankings/", rankings.rankings, name="rankings"),
    path("rankings/annual/<int:year>/", rankings.annual, name="rankings_annual"),
]
