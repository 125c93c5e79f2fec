"""The office's people pages, at /office/people/, and everyone's own password change."""

from django.urls import path

from surveys.organisation import import_views, views

urlpatterns = [
    path("", views.people, name="people"),
    path("template.xlsx", views.people_template, name="people_template"),
    path("export.xlsx", views.people_export, name="people_export"),
    path("import/", import_views.people_import, name="people_import"),
    path("import/preview/", import_views.people_import_preview, name="people_import_preview"),
    path("import/commit/", import_views.people_import_commit, name="people_import_commit"),
    path("import/cancel/", import_views.people_import_cancel, name="people_import_cancel"),
    path("import/done/", import_views.people_import_done, name="people_import_done"),
    path(
        "import/passwords.xlsx",
        import_views.people_import_passwords,
        name="people_import_passwords",
    ),
    path(
        "secretaries/<int:user_id>/reset-password/",
        views.password_reset,
        name="people_password_reset",
    ),
    path(
        "secretaries/<int:user_id>/reset-password/done/",
        views.password_reset_done,
        name="people_password_reset_done",
    ),
    path("secretaries/<int:user_id>/email/", views.secretary_email, name="people_secretary_email"),
    path("accounts/<int:user_id>/unlock/", views.account_unlock, name="people_account_unlock"),
    path(
        "branches/<int:branch_id>/deactivate/",
        views.branch_deactivate,
        name="people_branch_deactivate",
    ),
    path(
        "branches/<int:branch_id>/reactivate/",
        views.branch_reactivate,
        name="people_branch_reactivate",
    ),
    path(
        "branches/<int:branch_id>/handover/", views.branch_handover, name="people_branch_handover"
    ),
    path(
        "branches/<int:branch_id>/handover/done/",
        views.branch_handover_done,
        name="people_branch_handover_done",
    ),
    # Not office-only: every account changes its own password here, and a new or reset one
    # is sent here by the middleware until it does.
    path("password/", views.password_change, name="password_change"),
]
