"""The API's schema is the truth (issue 12 item 8): schemathesis sends requests generated from
the schema, as several roles, and every answer must be documented: no server error, a status
code the operation lists, the content type it lists and a body matching its schema.

The operations come from the schema the product serves, so an endpoint added later is
fuzzed too. Path ids are drawn from the objects of the data set (the caller's own, another
province's) and from ids that exist nowhere; everything else is generated from the schema."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

from dossiers.models import (
    AgendaItem,
    Batch,
    CouncilMeeting,
    CriterionAppraisal,
    Dossier,
    PublicComment,
)

# Examples per operation and role: bounded, with a fixed seed (``derandomize``).
EXAMPLES = 3
# Commune officer, department appraiser, coordination office, council member, auditor.
ROLES = ["ubnd_42001", "so_xd", "vpdp", "hoi_dong_1", "thanh_tra"]
CHECKS = [schemathesis.checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]
ABSENT = 2**31 - 1


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The requests go to the real WSGI application, whose request signals close the database
    connection after each one; the test's transaction holds the data set, so, as Django's
    own test client does, the connection is kept open while the test runs."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def api_schema() -> schemathesis.BaseSchema:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


def _world(kit, other_kit) -> dict[str, list[int]]:
    """Objects at every stage worth reading: a dossier on the council's agenda (with its
    appraisals, comment, meeting and agenda item), one just registered, and one in another
    province. Returns the ids a path may name, by parameter."""
    from demo.journey import Journey
    from dossiers.models import Level

    ours = Journey.register(kit, kit.communes[0], Level.NTM)
    ours.to_consolidation()
    ours.schedule()
    Journey.register(kit, kit.communes[1], Level.NTM)
    theirs = Journey.register(other_kit, other_kit.communes[0], Level.NTM)
    theirs.to_appraisal()
    # One criterion appraisal per dossier and department.
    items = {}
    for pk, dossier, agency in CriterionAppraisal.objects.order_by("-pk").values_list(
            "pk", "dossier", "agency"):
        items[dossier, agency] = pk
    return {
        "/api/dossiers/": list(Dossier.objects.values_list("pk", flat=True)),
        "/api/appraisals/": sorted(items.values()),
        "/api/meetings/": list(CouncilMeeting.objects.values_list("pk", flat=True)),
        "/api/agenda-items/": list(AgendaItem.objects.values_list("pk", flat=True)),
        "/api/batches/": list(Batch.objects.values_list("pk", flat=True)),
        "comment_pk": list(PublicComment.objects.values_list("pk", flat=True)),
    }


def _ids_for(path: str, name: str, world: dict[str, list[int]]) -> list[int]:
    """The ids of the objects a path parameter may name, and one that exists nowhere."""
    if name in world:
        return world[name] + [ABSENT]
    for prefix, ids in world.items():
        if path.startswith(prefix):
            return ids + [ABSENT]
    return [1, ABSENT]


def _fuzz(operation, *, token: str, ids: Callable[[str], list[int]],
          failures: list[str]) -> int:
    sent = 0

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        nonlocal sent
        if case.path_parameters:
            case.path_parameters = {name: data.draw(st.sampled_from(ids(name)), label=name)
                                    for name in case.path_parameters}
        response = case.call(headers={"Authorization": f"Token {token}"})
        sent += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(f"{operation.label} [{response.status_code}] {failure.title}: "
                                f"{failure.message[:300]} <- {response.text[:300]}")

    run()
    return sent


@pytest.mark.django_db
def test_every_answer_of_the_api_matches_its_schema(kit, other_kit):
    world = _world(kit, other_kit)
    schema = api_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    sent = 0
    for username in ROLES:
        token = Token.objects.create(user=kit.users[username]).key
        for operation in operations:
            count = _fuzz(operation, token=token, failures=failures,
                          ids=functools.partial(_ids_for, operation.path, world=world))
            assert count >= 1, f"{operation.label}: no request was generated"
            sent += count
    assert failures == [], f"{len(failures)} of {sent} answers do not match the schema:\n" + \
        "\n".join(failures[:40])
