"""A province with a hand-made history in the first quarter of 2026 (criteria set
2021–2025, 19 criteria), for the report figures:

* 02/02/2026: communes 1 and 2 recognised NTM (decision signed that day); commune 3 reaches
  consolidation; commune 4 is in appraisal, nothing appraised yet; the batch's department
  appraisal is due 20/03/2026.
* 10/03/2026: commune 3 is deferred by the council (round 2, back to self-assessment, its
  self-assessment all met); commune 1's recognition is revoked for criteria 1–10 (income, criterion 10, among them).
* Roadmap: communes 1, 2 and 3 aim at NTM in 2026, commune 4 in 2027.
* The report is made on 31/03/2026.
"""

import datetime as dt

import pytest

from demo.journey import Journey
from dossiers.models import Level
from dossiers.services.roadmap import roadmap_target_set
from dossiers.services.setup import batch_deadline_set
from tests.conftest import NOW, make_province


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=NOW.tzinfo)


@pytest.fixture
def history(_clock, admin_user, catalogue):
    _clock.move_to(morning(dt.date(2026, 2, 2)), tick=True)
    kit = make_province(admin_user, "42", "Hà Tĩnh", 4, "")
    c1, c2, c3, c4 = kit.communes
    batch_deadline_set(actor=kit.account("vpdp"), batch=kit.batch, step="department_appraisal",
                       due_on=dt.date(2026, 3, 20), reason="lịch đợt")
    j1, j2, j3, j4 = (Journey.register(kit, c, Level.NTM) for c in kit.communes)
    for j in (j1, j2):
        j.to_awaiting_decision()
        j.decide()
    j3.to_consolidation()
    j3.schedule()
    j4.to_appraisal()
    for commune, year in ((c1, 2026), (c2, 2026), (c3, 2026), (c4, 2027)):
        roadmap_target_set(actor=kit.account("vpdp"), province=kit.province, commune=commune,
                           level=Level.NTM, year=year)
    _clock.move_to(morning(dt.date(2026, 3, 10)), tick=True)
    j3.open_meeting()
    j3.close_vote(defer=True, reason="Bổ sung minh chứng tiêu chí 8")
    j1.revoke(criteria=10)
    _clock.move_to(morning(dt.date(2026, 3, 31)), tick=True)
    return kit, (j1, j2, j3, j4)
