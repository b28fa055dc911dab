from django.urls import path

from civility.participation.views import activities, budget, photos, selections, suggestions

urlpatterns = [
    # 建议意见
    path("suggestions/", suggestions.suggestion_list, name="suggestion_list"),
    path("suggestions/new/", suggestions.suggestion_new, name="suggestion_new"),
    path("suggestions/site-search/", suggestions.site_search, name="suggestion_site_search"),
    path("suggestions/<int:pk>/", suggestions.suggestion_detail, name="suggestion_detail"),
    path(
        "suggestions/<int:pk>/act/<slug:action>/",
        suggestions.suggestion_act,
        name="suggestion_act",
    ),
    path(
        "suggestions/<int:pk>/problem-photos/<int:photo_pk>/",
        photos.suggestion_problem_photo,
        name="suggestion_problem_photo",
    ),
    path(
        "suggestions/<int:pk>/problem-photos/<int:photo_pk>/thumb/",
        photos.suggestion_problem_photo,
        {"thumb": True},
        name="suggestion_problem_thumb",
    ),
    # 全民参与
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_new, name="activity_new"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/series/<int:pk>/", activities.series_detail, name="series_detail"),
    # 典型评选
    path("selections/", selections.selection_list, name="selection_list"),
    path("selections/new/", selections.selection_new, name="selection_new"),
    path("selections/<int:pk>/", selections.selection_detail, name="selection_detail"),
    path("selections/<int:pk>/nominate/", selections.nomination_new, name="nomination_new"),
    path("selections/<int:pk>/review/", selections.selection_review, name="selection_review"),
    path(
        "selections/<int:pk>/start-review/",
        selections.selection_start_review,
        name="selection_start_review",
    ),
    path(
        "selections/<int:pk>/publicity/", selections.selection_publicity, name="selection_publicity"
    ),
    path("selections/<int:pk>/publish/", selections.selection_publish, name="selection_publish"),
    # 投入保障
    path("budget/", budget.budget_index, name="budget"),
    path("budget/<int:year>/", budget.budget_page, name="budget_year"),
    path("budget/<int:year>.xlsx", budget.budget_export, name="budget_xlsx"),
    # photos
    path("participation/photos/<int:pk>/", photos.participation_photo, name="participation_photo"),
    path(
        "participation/photos/<int:pk>/thumb/",
        photos.participation_photo,
        {"thumb": True},
        name="participation_thumb",
    ),
]
