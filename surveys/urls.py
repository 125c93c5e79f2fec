from django.contrib.auth import views as auth_views
from django.urls import path

from surveys import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
]
