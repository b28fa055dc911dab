from django.urls import path

from civility.campaign.views import accountability, drives, honours

urlpatterns = [
    path("drives/", drives.drive_list, name="drive_list"),
    path("drives/<int:pk>/", drives.drive_detail, name="drive_detail"),
    path("drives/<int:pk>.xlsx", drives.drive_export, name="drive_export"),
    path("accountability/", accountability.accountability_list, name="accountability_list"),
    path("accountability/new/", accountability.accountability_new, name="accountability_new"),
    path(
        "accountability/dismiss/",
        accountability.accountability_dismiss,
        name="accountability_dismiss",
    ),
    path("honours/", honours.honour_list, name="honour_list"),
    path("honours/<int:pk>/status/", honours.honour_status, name="honour_status"),
    path("honours/review/<int:year>/", honours.honour_review, name="honour_review"),
    path(
        "honours/review/<int:year>/decide/",
        honours.honour_review_decide,
        name="honour_review_decide",
    ),
    path(
        "honours/review/<int:year>.xlsx",
        honours.honour_review_export,
        name="honour_review_export",
    ),
]
