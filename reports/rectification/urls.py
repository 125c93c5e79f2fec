from django.urls import path

from reports.rectification import views

urlpatterns = [
    path("rounds/<int:round_id>/tasks/", views.round_tasks, name="rectification_round"),
    path("rounds/<int:round_id>/tasks.xlsx", views.round_tasks_xlsx, name="rectification_xlsx"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="rectification_delete"),
    path("my-tasks/", views.my_tasks, name="rectification_mine"),
    path("my-tasks/<int:task_id>/", views.task_report, name="rectification_report"),
    path("task-files/<int:pk>/", views.task_file, name="rectification_file"),
    path("task-files/<int:pk>/thumbnail/", views.task_thumbnail, name="rectification_thumbnail"),
]
