from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "civility 文明城区创建管理"
admin.site.site_title = "civility 管理"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("", include("civility.core.urls")),
    path("", include("civility.org.urls")),
    path("", include("civility.supervision.urls")),
    path("", include("civility.reports.urls")),
    path("", include("civility.campaign.urls")),
    path("", include("civility.participation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
