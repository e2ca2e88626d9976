from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# Uploaded evidence is never served as plain static files: it is read through views
# that check the reader's object permissions.
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
