from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tenancy.urls")),
    path("connections/", include("connections.urls")),
    path("mapping/", include("mapping.urls")),
    path("sync/", include("sync.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
