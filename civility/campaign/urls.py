from django.urls import path

from civility.campaign.views import drives

urlpatterns = [
    path("drives/", drives.drive_list, name="drive_list"),
    path("drives/<int:pk>/", drives.drive_detail, name="drive_detail"),
    path("drives/<int:pk>.xlsx", drives.drive_export, name="drive_export"),
]
