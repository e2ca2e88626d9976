from django.contrib import admin
from django.urls import include, path

# Uploaded evidence is never served as plain static files: it is read through views
# that check the reader's object permissions.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
