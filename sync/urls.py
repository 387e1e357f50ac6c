from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/<uuid:pk>/", views.settings_for, name="settings_for"),
    path("historical/", views.historical, name="historical"),
]
