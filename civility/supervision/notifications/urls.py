from django.urls import path

from civility.supervision.notifications import views as notifications

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
]
