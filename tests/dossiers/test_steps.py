"""The step table is the one description of the process's human steps: everything that
dispatches, labels or dates a step is derived from it, and the kernel runs each row's
checks exactly once."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from viewflow.workflow.nodes import View

from audit.labels import action_label
from dossiers import conditions
from dossiers.models import BatchDeadline, Dossier
from dossiers.steps import BY_NODE, DEADLINE_OF_NODE, STEPS, TRANSITIONS, Step
from web.api.views import API_STEPS
from web.forms import STEP_FORMS
from web.views.dossiers import ACTIONS
from workflow.flows import RecognitionFlow
from workflow.kernel import SERVICES

ROOT = Path(__file__).resolve().parents[2]
HUMAN_NODES = {node.name for node in RecognitionFlow.instance.nodes() if isinstance(node, View)}


@pytest.mark.parametrize("row", STEPS, ids=lambda row: row.name)
def test_every_row_is_wired_to_a_node_a_service_a_form_and_an_api_action(row):
    node = getattr(RecognitionFlow, row.node)
    assert isinstance(node, View), f"{row.node} is not a human task"
    assert node.task_title == BY_NODE[row.node].label
    if row.transition:
        assert callable(getattr(Dossier, row.transition))
    for check in row.checks:
        assert callable(getattr(conditions, check))
    assert row.permission in {codename for codename, _label in Dossier._meta.permissions} | {
        "appraise_criterion", "vote_in_meeting", "manage_meeting"}
    assert row.name in SERVICES
    assert row.name in STEP_FORMS and row.name in ACTIONS
    viewset = API_STEPS[row.name].viewset
    assert getattr(viewset, row.name).url_path == row.api_path
    basename = {"DossierViewSet": "dossier", "AppraisalViewSet": "appraisal",
                "AgendaItemViewSet": "agenda-item"}[viewset.__name__]
    assert reverse(f"{basename}-{row.api_path}", args=[1]).endswith(f"/{row.api_path}/")
    for action in row.audit_actions:
        assert action_label(action) != action, f"{action} has no label"


def test_every_human_node_of_the_flow_has_a_row_and_a_deadline():
    assert set(BY_NODE) == HUMAN_NODES
    assert set(DEADLINE_OF_NODE) == HUMAN_NODES


def test_the_batch_calendar_steps_are_the_rows_deadlines():
    assert Step.values == list(dict.fromkeys(row.deadline.key for row in STEPS))
    assert BatchDeadline._meta.get_field("step").choices == Step.choices
    assert Step.COUNCIL_VOTE == "council_vote"


def test_every_dossier_transition_is_labelled():
    transitions = {name for name, value in vars(Dossier).items()
                   if callable(value) and hasattr(value, "_django_fsm")}
    assert transitions == set(TRANSITIONS)


# Transitions with names distinctive enough to find every call in the code.
DISTINCT = {name for name in TRANSITIONS if "_" in name} | {
    "recognise", "announce", "revoke", "decline", "unschedule", "mark_met", "mark_not_met",
    "return_for_supplement", "resubmit", "lack_quorum", "put_on_agenda", "back_to_proposed"}


def test_status_changes_only_through_the_one_audited_path():
    """Nothing calls a transition method directly but ``transition_apply``."""
    offenders = []
    for path in [p for app in ("audit", "dossiers", "workflow", "notifications", "web")
                 for p in (ROOT / app).rglob("*.py")]:
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts or rel == Path("dossiers/transitions.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in DISTINCT:
                offenders.append(f"{rel}:{node.lineno} {node.func.attr}()")
    assert offenders == []


def test_each_check_runs_once_per_step(journey, monkeypatch):
    calls = []
    original = conditions.self_assessment_problems

    def counted(dossier):
        calls.append(dossier.pk)
        return original(dossier)

    monkeypatch.setattr(conditions, "self_assessment_problems", counted)
    journey.self_assess()
    journey.post(days_ago=16)
    assert calls == [journey.dossier.pk]
    assert Dossier.objects.get(pk=journey.dossier.pk).status == "public_posting"
