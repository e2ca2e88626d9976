from django.urls import path

from .views import audit as views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("dossier/<int:pk>/", views.dossier_events, name="dossier"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
