from django.urls import path

from civility.supervision.views import commentary, notifications

urlpatterns = [
    path("commentary/", commentary.commentary_list, name="commentary_list"),
    path("commentary/<int:pk>/", commentary.commentary_detail, name="commentary_detail"),
    path("notifications/", notifications.notification_list, name="notification_list"),
]
