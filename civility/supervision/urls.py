from django.urls import include, path

urlpatterns = [
    path("", include("civility.supervision.urls_problems")),
    path("", include("civility.supervision.urls_inspections")),
    path("", include("civility.supervision.urls_commentary")),
]
