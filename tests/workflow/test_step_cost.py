"""What one step costs in SQL statements, through the services (issue 13, P2).

The counts are exact per database (PostgreSQL adds the chain's advisory lock per audit
event; SQLite has no lock statement). They must not grow with the trail or with the other
dossiers and tasks of the province: each is measured on the second dossier too."""

import pytest
from django.db import connection

from demo.journey import Journey
from tests.conftest import queries_of
from workflow import services

# statements of: an appraisal that leaves the department's task open; the department's
# last appraisal (its task completes, the flow runs on to the join); a council vote.
# The appraisal reads the commune's self-assessment once, to judge "met" against the
# threshold of the commune's group or region (dossiers/thresholds.py).
COST = {
    "sqlite": {"appraise": 17, "appraise_last": 35, "vote": 28},
    "postgresql": {"appraise": 18, "appraise_last": 36, "vote": 29},
}


def appraisal_costs(j: Journey) -> tuple[int, int]:
    items = j.items("xd")
    assert len(items) == 2  # the department "xd" owns two criteria in the test set
    first, _ = queries_of(lambda: services.appraisal_record(actor=j.u("so_xd"), item=items[0],
                                                             result="met"))
    last, _ = queries_of(lambda: services.appraisal_record(actor=j.u("so_xd"), item=items[1],
                                                            result="met"))
    assert j.refresh().status == "appraisal"
    return first, last


def vote_cost(j: Journey) -> int:
    members = j.kit.council_members
    count, vote = queries_of(lambda: services.vote_cast(actor=members[0], item=j._item(),
                                                         in_favour=True))
    assert (vote.member, vote.in_favour) == (members[0], True)
    return count


@pytest.mark.django_db
def test_an_appraisal_and_a_vote_cost_a_fixed_number_of_statements(kit):
    cost = COST[connection.vendor]
    one = Journey.register(kit, kit.communes[0], "NTM")
    one.to_appraisal()
    assert appraisal_costs(one) == (cost["appraise"], cost["appraise_last"])
    one.appraise_all()
    one.appraise_survey()
    one.confirm()
    one.schedule()
    one.open_meeting()
    assert vote_cost(one) == cost["vote"]

    # A second dossier of the province, after the first one's trail and tasks: the same.
    two = Journey.register(kit, kit.communes[1], "NTM")
    two.to_appraisal()
    assert appraisal_costs(two) == (cost["appraise"], cost["appraise_last"])
    two.appraise_all()
    two.appraise_survey()
    two.confirm()
    two.schedule(meeting=one.meeting)
    assert vote_cost(two) == cost["vote"]
