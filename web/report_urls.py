from django.urls import path

from .views import reports

urlpatterns = [
    path("", reports.report_page, name="report"),
    path("figures/<str:key>/", reports.figure_page, name="report_figure"),
    path("roadmap/", reports.roadmap_page, name="roadmap"),
]
