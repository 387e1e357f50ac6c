from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("historical/", views.historical, name="historical"),
]
