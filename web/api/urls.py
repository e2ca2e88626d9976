from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import setup, views

router = DefaultRouter()
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("appraisals", views.AppraisalViewSet, basename="appraisal")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
for prefix, viewset, basename in setup.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
