from django.urls import path

from . import views, views_resync

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("resync-all/", views_resync.resync_all, name="resync_all"),
    path("resync-all/<uuid:pk>/", views_resync.resync_batch, name="resync_batch"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/resync/", views_resync.resync_entry, name="resync"),
    path("<uuid:pk>/resync/status/", views_resync.resync_status, name="resync_status"),
]
