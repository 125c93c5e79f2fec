"""The rater pages: the office's under /office/ratings/ and /office/rounds/<id>/ratings/,
the raters' at /r/ (no login). Included at the site's root by surveys/urls.py."""

from django.urls import path

from surveys.ratings import views

urlpatterns = [
    path("office/rounds/<int:round_id>/ratings/", views.ratings_round, name="ratings_round"),
    path(
        "office/rounds/<int:round_id>/ratings/groups/",
        views.ratings_groups_add,
        name="ratings_groups_add",
    ),
    path(
        "office/rounds/<int:round_id>/ratings/settings/",
        views.ratings_settings,
        name="ratings_settings",
    ),
    path(
        "office/rounds/<int:round_id>/ratings/compare/",
        views.ratings_compare,
        name="ratings_compare",
    ),
    path(
        "office/rounds/<int:round_id>/ratings/compare.xlsx",
        views.ratings_compare_xlsx,
        name="ratings_compare_xlsx",
    ),
    path("office/ratings/slips/", views.ratings_slips, name="ratings_slips"),
    path("office/ratings/groups/<int:group_id>/", views.ratings_group, name="ratings_group"),
    path(
        "office/ratings/groups/<int:group_id>/codes/",
        views.ratings_codes_issue,
        name="ratings_codes_issue",
    ),
    path(
        "office/ratings/questionnaires/",
        views.ratings_questionnaires,
        name="ratings_questionnaires",
    ),
    path(
        "office/ratings/questionnaires/<int:questionnaire_id>.yaml",
        views.ratings_questionnaire_yaml,
        name="ratings_questionnaire_yaml",
    ),
    path(
        "office/ratings/questionnaires/<int:questionnaire_id>.xlsx",
        views.ratings_questionnaire_file,
        {"fmt": "xlsx"},
        name="ratings_questionnaire_xlsx",
    ),
    path(
        "office/ratings/questionnaires/<int:questionnaire_id>.json",
        views.ratings_questionnaire_file,
        {"fmt": "json"},
        name="ratings_questionnaire_json",
    ),
    path("r/", views.rater_start, name="rater_start"),
    path("r/done/", views.rater_done, name="rater_done"),
    path("r/<str:code>/", views.rater_form, name="rater_form"),
]
