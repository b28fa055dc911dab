from django.urls import path

from civility.supervision.commentary import views as commentary

urlpatterns = [
    path("commentary/", commentary.commentary_list, name="commentary_list"),
    path("commentary/new/", commentary.commentary_new, name="commentary_new"),
    path("commentary/<int:pk>/", commentary.commentary_detail, name="commentary_detail"),
    path("commentary/<int:pk>/print/", commentary.commentary_print, name="commentary_print"),
    path(
        "commentary/<int:pk>/receipts/<int:receipt_pk>/acknowledge/",
        commentary.commentary_acknowledge,
        name="commentary_acknowledge",
    ),
    path(
        "commentary/<int:pk>/receipts/<int:receipt_pk>/reply/",
        commentary.commentary_reply,
        name="commentary_reply",
    ),
]
