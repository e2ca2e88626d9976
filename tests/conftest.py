import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from demo.files import pdf  # noqa: F401 - shared with the demo
from demo.province import BatchKit, Department, setup_province, user
from dossiers.models import Agency, Commune, District, Level, Province, Region
from dossiers.services.agencies import agency_add_member, agency_create
from dossiers.services.catalogue import criteria_set_load
from dossiers.services.setup import batch_create, regulation_profile_publish

# Every test runs on this clock unless it travels elsewhere itself (``time_machine.move_to``):
# Monday 03/08/2026, 09:00 in Vietnam. The conftest batch's department appraisal date,
# 10/08/2026, is a week ahead; the demo's calendar (seed 002: 10/08, 30/08, 30/11, 15/12)
# is all ahead too. The clock ticks, so a live server, a Celery worker and timeouts work.
NOW = dt.datetime(2026, 8, 3, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = NOW.date()

SET_2026 = "QD51-2025-NTM-XA"
SET_2021 = "QD318-2022-NTM-XA"
PASSWORD = "test-pass-123"

DEPARTMENTS = [
    Department("xd", "Sở Xây dựng", {SET_2026: (1, 2), SET_2021: (1, 2, 9)}),
    Department("nn", "Sở Nông nghiệp và Môi trường", {SET_2026: (3, 8), SET_2021: (3, 17)}),
    Department("nv", "Sở Nội vụ", {SET_2026: (4, 6, 9), SET_2021: (11, 12, 18)}),
    Department("vh", "Sở Văn hóa", {SET_2026: (5,), SET_2021: (5, 6, 14, 16)}),
    Department("kh", "Sở Khoa học và Công nghệ", {SET_2026: (7,),
                                                  SET_2021: (4, 7, 8, 10, 13, 15)}),
    Department("ca", "Công an tỉnh", {SET_2026: (10,), SET_2021: (19, "19.2")},
               confirms_security=True),
    Department("tc", "Sở Tài chính", {}, confirms_debt=True),
]


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """The frozen (ticking) clock of every test: no test depends on the day it runs."""
    time_machine.move_to(NOW, tick=True)
    return time_machine


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_messages():
    """Services' messages are asserted in their English source text; pages are tested in
    Vietnamese (the default language) through the test client, which sets its own."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)


@pytest.fixture
def catalogue(admin_user):
    for name in ("ntm-2026-2030.yaml", "ntm-2021-2025.yaml"):
        criteria_set_load(actor=admin_user, path=settings.NTM_CRITERIA_DIR / name)


def make_province(admin_user, code: str, name: str, communes: int, prefix: str, **profile):
    province = Province.objects.create(code=code, name=name)
    commune_rows = [Commune.objects.create(province=province, code=f"{code}{n:03d}",
                                           name=f"Xã Thử {name} {n}", group=2,
                                           region=Region.NORTH_CENTRAL)
                    for n in range(1, communes + 1)]
    kit = setup_province(actor=admin_user, province=province, communes=commune_rows,
                         departments=DEPARTMENTS, password=PASSWORD, prefix=prefix)
    regulation_profile_publish(actor=admin_user, province=province,
                               valid_from=dt.date(2020, 1, 1), reason="test", **profile)
    batch = batch_create(actor=admin_user, province=province, recognition_year=2026,
                         number=1, deadlines={"department_appraisal": dt.date(2026, 8, 10)})
    return BatchKit.of(kit, batch=batch)


@pytest.fixture
def kit(admin_user, catalogue):
    return make_province(admin_user, "42", "Hà Tĩnh", 2, "")


@pytest.fixture
def other_kit(admin_user, catalogue, kit):
    return make_province(admin_user, "40", "Nghệ An", 1, "na_")


@pytest.fixture
def journey(kit):
    from demo.journey import Journey

    return Journey.register(kit, kit.communes[0], Level.NTM)


@pytest.fixture
def private_queue():
    """This test process's own queue (set below), so that parallel test processes, or a
    developer's running worker, never take each other's tasks."""
    from config.celery import app

    assert app.conf.task_default_queue.startswith("test-")


def queries_of(call: Callable[[], Any]) -> tuple[int, Any]:
    """How many queries ``call()`` runs, and what it returned. Query-count tests measure
    twice, before and after growing what the code reads (dossiers, tasks, events), and
    assert the two counts are equal."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured.captured_queries), result


def pytest_configure(config):
    # Fast password hashing: the suite creates dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One private Celery queue per test process, chosen before any task is sent (Celery
    # caches its queues on first use).
    from config.celery import app

    app.conf.task_default_queue = f"test-{uuid.uuid4().hex}"


def district_variant(kit: BatchKit, *, valid_from: dt.date) -> BatchKit:
    """The older variant: the kit's first commune in a historic district with its People's
    Committee (user ``ubnd_huyen``), and a profile from ``valid_from`` asking for the
    district's verification."""
    district = District.objects.create(province=kit.province, code="436", name="Huyện Cẩm Xuyên")
    commune = kit.communes[0]
    commune.district = district
    commune.save()
    agency = agency_create(actor=kit.admin, province=kit.province,
                           kind=Agency.Kind.DISTRICT_COMMITTEE, code="ubnd-cam-xuyen",
                           name="UBND huyện Cẩm Xuyên", district=district)
    kit.users["ubnd_huyen"] = user(username="ubnd_huyen", password=PASSWORD)
    agency_add_member(actor=kit.admin, agency=agency, user=kit.users["ubnd_huyen"])
    regulation_profile_publish(actor=kit.admin, province=kit.province, valid_from=valid_from,
                               reason="historic variant", district_verification=True)
    return kit
