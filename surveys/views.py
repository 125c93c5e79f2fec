from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def login_view(request):
    return auth_views.LoginView.as_view()(request)


@login_required
def home(request):
    return render(request, "surveys/home.html", {})
