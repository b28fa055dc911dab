from django.urls import path

from civility.supervision.inspections import plans, revisit
from civility.supervision.inspections import views as inspections

urlpatterns = [
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/revisit/", revisit.revisit_new, name="revisit_new"),
    path("inspections/plans/", plans.plan_list, name="inspection_plans"),
    path("inspections/plans/<int:pk>/delete/", plans.plan_delete, name="inspection_plan_delete"),
    path("inspections/site-search/", inspections.site_search, name="site_search"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path(
        "inspections/<int:pk>/sites/", inspections.inspection_add_site, name="inspection_add_site"
    ),
    path(
        "inspections/<int:pk>/sites/<int:site_pk>/remove/",
        inspections.inspection_remove_site,
        name="inspection_remove_site",
    ),
    path(
        "inspections/<int:pk>/problems/",
        inspections.inspection_add_problem,
        name="inspection_add_problem",
    ),
    path(
        "inspections/<int:pk>/summary/", inspections.inspection_summary, name="inspection_summary"
    ),
    path("inspections/<int:pk>/marks/", inspections.inspection_mark, name="inspection_mark"),
    path("inspections/<int:pk>/submit/", inspections.inspection_submit, name="inspection_submit"),
]
