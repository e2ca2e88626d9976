from django.contrib import admin
from django.urls import include, path

from dossiers.views import dossier_detail
from workflow.views import home

# Uploaded evidence is never served as plain static files: it is read through views
# that check the reader's object permissions.
urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("audit/", include("workflow.urls")),
    path("dossiers/<int:pk>/", dossier_detail, name="dossier"),
    path("notifications/", include("notifications.urls")),
    path("anymail/", include("anymail.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
