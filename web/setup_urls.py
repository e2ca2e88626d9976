"""The set-up workspace's pages (``web.views.setup``)."""

from django.urls import path

from .views import setup

urlpatterns = [
    path("", setup.provinces, name="setup"),
    path("<int:pk>/", setup.province, name="setup_province"),
    path("<int:pk>/communes/", setup.communes, name="setup_communes"),
    path("<int:pk>/communes/<int:commune_pk>/", setup.commune, name="setup_commune"),
    path("<int:pk>/agencies/", setup.agency_list, name="setup_agencies"),
    path("<int:pk>/agencies/<int:agency_pk>/", setup.agency, name="setup_agency"),
    path("<int:pk>/responsibilities/", setup.responsibilities, name="setup_responsibilities"),
    path("<int:pk>/profiles/", setup.profiles, name="setup_profiles"),
    path("<int:pk>/batches/", setup.batches, name="setup_batches"),
]
