from django.urls import path

from civility.supervision.problems import choices, views

urlpatterns = [
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/units/", choices.unit_options, name="problem_unit_options"),
    path("problems/<str:number>/", views.problem_detail, name="problem_detail"),
    path("problems/<str:number>/act/<slug:action>/", views.problem_act, name="problem_act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
]
