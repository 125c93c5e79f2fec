from django.urls import path

from surveys.questionnaires import views

urlpatterns = [
    path("", views.questionnaire_list, name="questionnaires"),
    path("import/", views.questionnaire_import, name="questionnaire_import"),
    path("<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("<int:pk>/clone/", views.questionnaire_clone, name="questionnaire_clone"),
    path("<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path("<int:pk>/delete/", views.questionnaire_delete, name="questionnaire_delete"),
    path("<int:pk>/ahp/", views.questionnaire_ahp, name="questionnaire_ahp"),
    path("<int:pk>/export.xlsx", views.questionnaire_export_xlsx, name="questionnaire_xlsx"),
    path("<int:pk>/export.json", views.questionnaire_export_json, name="questionnaire_json"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_new"),
    path("<int:pk>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
]
