from django.urls import include, path

urlpatterns = [
    path("", include("civility.supervision.problems.urls")),
    path("", include("civility.supervision.inspections.urls")),
    path("", include("civility.supervision.commentary.urls")),
    path("", include("civility.supervision.notifications.urls")),
]
