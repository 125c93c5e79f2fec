"""Logging in and out, at the site's root."""

from django.contrib.auth import views as auth_views
from django.urls import path

from surveys.organisation import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
