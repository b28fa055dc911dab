from django.urls import path

from civility.org import views

urlpatterns = [
    path("org/", views.org_overview, name="org"),
    path("assignments/", views.assignment_list, name="assignments"),
]
