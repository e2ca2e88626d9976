from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import documents, imports, mergers, reads, reports, setup, views

router = DefaultRouter()
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("appraisals", views.AppraisalViewSet, basename="appraisal")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("audit-events", views.AuditEventViewSet, basename="audit-event")
router.register("agencies", reads.AgencyViewSet, basename="agency")
router.register("communes", reads.CommuneViewSet, basename="commune")
router.register("villages", reads.VillageViewSet, basename="village")
router.register("criteria-sets", reads.CriteriaSetViewSet, basename="criteria-set")
router.register("responsibilities", reads.ResponsibilityViewSet, basename="responsibility")
router.register("regulation-profiles", reads.RegulationProfileViewSet,
                basename="regulation-profile")
router.register("roadmap-targets", reports.RoadmapTargetViewSet, basename="roadmap-target")
router.register("mergers", mergers.MergerViewSet, basename="merger")
for prefix, viewset, basename in setup.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("dossiers/<int:pk>/generated-documents/", documents.document_list,
         name="api-documents"),
    path("dossiers/<int:pk>/generated-documents/<slug:kind>/", documents.document_pdf,
         name="api-document"),
    path("dossiers/bulk-register/", imports.BulkRegistration.as_view(), name="bulk-register"),
    path("dossiers/<int:pk>/criteria/", reads.DossierCriteria.as_view(), name="dossier-criteria"),
    path("dossiers/<int:pk>/villages/", reads.DossierVillages.as_view(), name="dossier-villages"),
    path("dossiers/<int:pk>/evidence/<int:evidence_pk>/withdraw/",
         reads.EvidenceWithdraw.as_view(), name="evidence-withdraw"),
    path("tasks/<int:pk>/reassign/", reads.TaskReassign.as_view(), name="task-reassign"),
    path("imports/apply/", imports.ImportApply.as_view(), name="import-apply"),
    path("imports/<slug:kind>/", imports.ImportUpload.as_view(), name="import-upload"),
    path("imports/<slug:kind>/template/", imports.ImportTemplate.as_view(),
         name="import-template"),
    path("", include(router.urls)),
    path("reports/", reports.ReportView.as_view(), name="api-report"),
    path("reports/figures/<str:key>/", reports.FigureView.as_view(), name="api-report-figure"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
