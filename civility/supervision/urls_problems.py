from django.urls import path

from civility.supervision.views import problems

urlpatterns = [
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/<str:number>/", problems.problem_detail, name="problem_detail"),
    path("problems/<str:number>/act/<slug:action>/", problems.problem_act, name="problem_act"),
    path("photos/<int:pk>/", problems.photo, name="photo"),
    path("photos/<int:pk>/thumb/", problems.photo, {"thumb": True}, name="photo_thumb"),
]
