from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    label = "ntm_workflow"  # "viewflow" and "workflow" stay free for viewflow itself
    verbose_name = _("Recognition process")
