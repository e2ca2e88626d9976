"""Every page and the API. Uploaded evidence is never served as plain static files: it is
read through views that check the reader's object permissions."""

from django.contrib import admin
from django.urls import include, path

from .auth import SignInView
from .views import documents as document_views
from .views import dossiers as dossier_views
from .views import imports as import_views
from .views import lists
from .views import mergers as merger_views
from .views import public as public_views
from .webhooks import anymail_patterns

urlpatterns = [
    path("", lists.inbox, name="home"),
    path("dossiers/", lists.dossier_list, name="dossier_list"),
    path("accounts/login/", SignInView.as_view(), name="login"),  # password + optional code
    path("accounts/", include("django.contrib.auth.urls")),
    path("audit/", include("web.audit_urls")),
    path("dossiers/<int:pk>/", dossier_views.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/documents/<slug:kind>/", document_views.dossier_document,
         name="dossier_document"),
    path("dossiers/<int:pk>/reassign/", dossier_views.task_reassign, name="task_reassign"),
    path("dossiers/<int:pk>/<slug:action>/", dossier_views.dossier_action, name="dossier_action"),
    path("dossiers/<int:pk>/evidence/<int:evidence_pk>/", dossier_views.evidence_file,
         name="evidence"),
    path("public/", public_views.public_index, name="public"),
    path("public/<slug:code>/", public_views.public_province, name="public_province"),
    path("public/<slug:code>/decisions/<int:decision_id>/", public_views.public_decision_file,
         name="public_decision"),
    path("meetings/", dossier_views.meetings, name="meetings"),
    path("mergers/", merger_views.merger_list, name="mergers"),
    path("mergers/<int:pk>/", merger_views.merger_detail, name="merger"),
    path("batches/", dossier_views.batches, name="batches"),
    path("batches/<int:pk>/", dossier_views.batch_board, name="batch"),
    path("appraisals/", dossier_views.appraisal_board, name="appraisal_board"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/apply/", import_views.imports_apply, name="imports_apply"),
    path("imports/template/", import_views.imports_template, name="imports_template"),
    path("notifications/", include("web.notification_urls")),
    path("reports/", include("web.report_urls")),
    path("setup/", include("web.setup_urls")),
    path("anymail/", include(anymail_patterns())),  # off until a webhook secret is set
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("web.api.urls")),
    path("admin/", admin.site.urls),
]
