"""The criteria catalogue is loaded from the YAML files as they are, and reloads never lose data."""

import copy
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from dossiers.exceptions import NotAllowed, RuleViolation
from dossiers.models import CriteriaSet, Criterion, Indicator, Level, SelfAssessment
from dossiers.services.catalogue import criteria_set_load

FILE_2021 = "ntm-2021-2025.yaml"
FILE_2026 = "ntm-2026-2030.yaml"
CODE_2021 = "QD318-2022-NTM-XA"
CODE_2026 = "QD51-2025-NTM-XA"


def source(name: str) -> Path:
    return Path(settings.NTM_CRITERIA_DIR) / name


def read(name: str) -> dict:
    return yaml.safe_load(source(name).read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "modified.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def indicator_key(raw: dict) -> str:
    return (str(raw.get("code") or "").strip() or str(raw.get("name_vi") or "").strip())[:120]


def expected_indicators(data: dict) -> dict[tuple[int, str], dict]:
    return {(int(c["number"]), indicator_key(i)): i
            for c in data["criteria"] for i in (c.get("indicators") or [])}


def loaded_indicators(code: str) -> dict[tuple[int, str], Indicator]:
    return {(i.criterion.number, i.key): i for i in
            Indicator.objects.filter(criterion__criteria_set__code=code).select_related("criterion")}


class NothingWritten:
    """Asserts that a refused load wrote nothing at all."""

    def __enter__(self):
        self.counts = self.snapshot()
        return self

    @staticmethod
    def snapshot():
        return (CriteriaSet.objects.count(), Criterion.objects.count(),
                Indicator.objects.count(), AuditEvent.objects.count())

    def __exit__(self, *exc):
        assert self.snapshot() == self.counts
        return False


# --- loading the shipped files -------------------------------------------------------------

def test_2021_set_loads_every_indicator_of_the_file(admin_user):
    data = read(FILE_2021)
    expected = expected_indicators(data)
    assert len(expected) == sum(len(c["indicators"] or []) for c in data["criteria"])

    report = criteria_set_load(actor=admin_user, path=source(FILE_2021))

    criteria_set = CriteriaSet.objects.get(code=CODE_2021)
    assert report.created is True
    assert report.criteria_set == criteria_set
    assert report.criteria == {"new": 19, "updated": 0, "retired": 0}
    assert report.indicators == {"new": len(expected), "updated": 0, "retired": 0}
    assert criteria_set.level == Level.NTM
    assert criteria_set.valid_from == dt.date(2022, 3, 8)
    assert criteria_set.source_file == FILE_2021
    assert criteria_set.loaded_at is not None
    assert criteria_set.criteria_count == 19
    assert criteria_set.indicator_count == 57
    assert list(criteria_set.criteria.values_list("number", flat=True)) == list(range(1, 20))
    assert not criteria_set.criteria.filter(retired=True).exists()
    # No commune groups in this set; other header fields are kept in ``header``.
    assert criteria_set.commune_groups == []
    assert criteria_set.uses_commune_groups is False
    assert "regions" in criteria_set.header and len(criteria_set.header["regions"]) == 7
    assert "valid_from" not in criteria_set.header

    loaded = loaded_indicators(CODE_2021)
    assert set(loaded) == set(expected)
    for key, raw in expected.items():
        indicator = loaded[key]
        assert indicator.confidence == raw["confidence"], key
        assert indicator.retired is False
        assert indicator.source_url == (raw.get("source_url") or "")
    # Positions follow the file's order within each criterion.
    assert [i.key for i in Indicator.objects.filter(criterion__criteria_set=criteria_set,
                                                    criterion__number=8)] == \
        ["8.1", "8.2", "8.3", "8.4"]

    assert criteria_set.gaps == data["gaps"]
    assert len(criteria_set.gaps) == len(data["gaps"]) == report.gaps
    assert report.summary().endswith(f"{len(data['gaps'])} known gap(s).")


def test_2021_indicator_without_code_is_keyed_by_name_and_thresholds_keep_their_shape(admin_user):
    data = read(FILE_2021)
    criteria_set_load(actor=admin_user, path=source(FILE_2021))

    raw_17 = next(c for c in data["criteria"] if c["number"] == 17)["indicators"][0]
    assert raw_17["code"] is None
    water = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, criterion__number=17)
    assert water.key == raw_17["name_vi"]
    assert water.code == ""
    assert water.name_vi == raw_17["name_vi"]
    assert water.confidence == "unconfirmed"

    # An indicator with a code but no name is named after its key.
    security = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="19.2")
    assert security.name_vi == "19.2"
    assert security.code == "19.2"

    raw_5 = next(c for c in data["criteria"] if c["number"] == 5)["indicators"][0]
    assert isinstance(raw_5["threshold"], dict)
    schools = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="5")
    schools.refresh_from_db()
    assert isinstance(schools.threshold, dict)
    assert schools.threshold == raw_5["threshold"]
    assert len(schools.threshold) == 7
    # A text threshold stays text, an absent one stays absent.
    assert Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="3.1").threshold == "≥80%"
    assert Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="8.1").threshold is None


def test_2026_set_has_ten_criteria_no_indicators_and_three_groups(admin_user):
    data = read(FILE_2026)
    report = criteria_set_load(actor=admin_user, path=source(FILE_2026))

    criteria_set = CriteriaSet.objects.get(code=CODE_2026)
    assert report.criteria == {"new": 10, "updated": 0, "retired": 0}
    assert report.indicators == {"new": 0, "updated": 0, "retired": 0}
    assert criteria_set.criteria.count() == 10
    assert Indicator.objects.filter(criterion__criteria_set=criteria_set).count() == 0
    assert criteria_set.level == "NTM"
    assert criteria_set.valid_from == dt.date(2026, 2, 15)
    assert criteria_set.period == "2026-2030"
    assert criteria_set.indicator_count == 47
    assert [g["code"] for g in criteria_set.commune_groups] == [1, 2, 3]
    assert criteria_set.uses_commune_groups is True
    assert criteria_set.commune_groups[1]["definition_vi"] == data["set"]["groups"][1]["definition_vi"]
    assert len(criteria_set.gaps) == len(data["gaps"]) == report.gaps
    assert set(criteria_set.criteria.filter(revocation_key=True).values_list("number", flat=True)) \
        == {8, 10}
    assert criteria_set.criteria.get(number=10).name_vi == \
        "Tiếp cận pháp luật và an ninh, quốc phòng"


# --- reloading ---------------------------------------------------------------------------------

def test_loading_the_same_file_twice_changes_nothing(admin_user):
    first = criteria_set_load(actor=admin_user, path=source(FILE_2021))
    counts = (CriteriaSet.objects.count(), Criterion.objects.count(), Indicator.objects.count())
    pks = dict(Indicator.objects.values_list("key", "pk"))
    n_indicators = first.indicators["new"]

    second = criteria_set_load(actor=admin_user, path=source(FILE_2021))

    assert second.created is False
    assert second.criteria_set.pk == first.criteria_set.pk
    assert second.criteria == {"new": 0, "updated": 19, "retired": 0}
    assert second.indicators == {"new": 0, "updated": n_indicators, "retired": 0}
    assert (CriteriaSet.objects.count(), Criterion.objects.count(),
            Indicator.objects.count()) == counts
    assert dict(Indicator.objects.values_list("key", "pk")) == pks
    assert not Criterion.objects.filter(retired=True).exists()
    assert not Indicator.objects.filter(retired=True).exists()


def test_update_retires_what_the_file_drops_and_adds_what_it_adds(admin_user, tmp_path):
    criteria_set_load(actor=admin_user, path=source(FILE_2021))
    dropped_indicator = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="8.4")
    dropped_criterion = Criterion.objects.get(criteria_set__code=CODE_2021, number=18)
    kept = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="8.1")
    total_before = Indicator.objects.count()

    data = copy.deepcopy(read(FILE_2021))
    data["set"]["title_vi"] = "Bộ tiêu chí (sửa đổi)"
    crit_8 = next(c for c in data["criteria"] if c["number"] == 8)
    crit_8["indicators"] = [i for i in crit_8["indicators"] if i["code"] != "8.4"]
    crit_8["indicators"].append({"code": "8.5", "name_vi": "Chỉ tiêu mới", "unit": "%",
                                 "threshold": {"Tây Nguyên": "≥50%"}, "confidence": "confirmed"})
    data["criteria"] = [c for c in data["criteria"] if c["number"] != 18]

    report = criteria_set_load(actor=admin_user, path=write(tmp_path, data))

    assert report.created is False
    assert report.criteria == {"new": 0, "updated": 18, "retired": 1}
    assert report.indicators["new"] == 1
    assert report.indicators["retired"] == 1
    # Retired rows still exist, under the same primary key.
    dropped_indicator.refresh_from_db()
    assert dropped_indicator.retired is True
    dropped_criterion.refresh_from_db()
    assert dropped_criterion.retired is True
    kept.refresh_from_db()
    assert kept.retired is False
    new = Indicator.objects.get(criterion__criteria_set__code=CODE_2021, key="8.5")
    assert new.retired is False
    assert new.confidence == "confirmed"
    assert new.threshold == {"Tây Nguyên": "≥50%"}
    assert new.position == 4
    assert Indicator.objects.count() == total_before + 1
    assert Criterion.objects.filter(criteria_set__code=CODE_2021).count() == 19
    assert CriteriaSet.objects.get(code=CODE_2021).title_vi == "Bộ tiêu chí (sửa đổi)"

    # Loading the original file again brings the retired rows back, still the same rows.
    again = criteria_set_load(actor=admin_user, path=source(FILE_2021))
    assert again.criteria == {"new": 0, "updated": 19, "retired": 0}
    assert again.indicators["retired"] == 1  # 8.5 is not in the original file
    dropped_indicator.refresh_from_db()
    dropped_criterion.refresh_from_db()
    assert dropped_indicator.retired is False
    assert dropped_criterion.retired is False
    assert Indicator.objects.get(key="8.5").retired is True


def test_retiring_a_criterion_keeps_the_self_assessments_made_against_it(journey, tmp_path):
    admin = journey.kit.admin
    dossier = journey.dossier
    assert dossier.criteria_set.code == CODE_2026
    journey.self_assess()
    criterion_10 = dossier.criteria_set.criteria.get(number=10)
    answers = SelfAssessment.objects.filter(dossier=dossier, criterion=criterion_10)
    assert answers.count() == 1
    answer_pk = answers.get().pk

    data = copy.deepcopy(read(FILE_2026))
    data["criteria"] = [c for c in data["criteria"] if c["number"] != 10]
    report = criteria_set_load(actor=admin, path=write(tmp_path, data))

    assert report.criteria == {"new": 0, "updated": 9, "retired": 1}
    criterion_10.refresh_from_db()
    assert criterion_10.retired is True
    answer = SelfAssessment.objects.get(pk=answer_pk)
    assert answer.criterion_id == criterion_10.pk
    assert SelfAssessment.objects.filter(dossier=dossier).count() == 10


def test_administrators_revocation_key_choice_survives_a_reload(admin_user):
    criteria_set_load(actor=admin_user, path=source(FILE_2026))
    Criterion.objects.filter(criteria_set__code=CODE_2026, number=8).update(revocation_key=False)
    Criterion.objects.filter(criteria_set__code=CODE_2026, number=3).update(revocation_key=True)

    criteria_set_load(actor=admin_user, path=source(FILE_2026))

    assert set(Criterion.objects.filter(criteria_set__code=CODE_2026, revocation_key=True)
               .values_list("number", flat=True)) == {3, 10}


# --- refusals ----------------------------------------------------------------------------------

def test_file_without_set_header_is_refused(admin_user, tmp_path):
    data = read(FILE_2026)
    del data["set"]
    path = write(tmp_path, data)
    with NothingWritten(), pytest.raises(RuleViolation, match="no “set” header"):
        criteria_set_load(actor=admin_user, path=path)


def test_unknown_level_is_refused(admin_user, tmp_path):
    data = read(FILE_2026)
    data["set"]["level"] = "NTM_SIEU_CAP"
    path = write(tmp_path, data)
    with NothingWritten(), pytest.raises(RuleViolation, match="Unknown level “NTM_SIEU_CAP”"):
        criteria_set_load(actor=admin_user, path=path)


def test_missing_header_field_and_bad_date_are_refused(admin_user, tmp_path):
    data = read(FILE_2026)
    del data["set"]["title_vi"]
    with NothingWritten(), pytest.raises(RuleViolation, match="lacks “title_vi”"):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data))
    data = read(FILE_2026)
    data["set"]["valid_from"] = "15/02/2026"
    with NothingWritten(), pytest.raises(RuleViolation, match="is not a date"):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data, "date.yaml"))


def test_unreadable_yaml_is_refused(admin_user, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("set: [unclosed\n", encoding="utf-8")
    with NothingWritten(), pytest.raises(RuleViolation, match="Cannot read"):
        criteria_set_load(actor=admin_user, path=path)
    with NothingWritten(), pytest.raises(RuleViolation, match="Cannot read"):
        criteria_set_load(actor=admin_user, path=tmp_path / "missing.yaml")


def test_indicator_without_confidence_is_refused_and_nothing_is_written(admin_user, tmp_path):
    data = read(FILE_2021)
    crit_14 = next(c for c in data["criteria"] if c["number"] == 14)
    del crit_14["indicators"][0]["confidence"]
    path = write(tmp_path, data)
    # On a first load: no set, criterion or indicator is left behind.
    with NothingWritten(), pytest.raises(RuleViolation, match="“14.1” has no valid confidence"):
        criteria_set_load(actor=admin_user, path=path)
    assert not CriteriaSet.objects.filter(code=CODE_2021).exists()

    # On an update: the set keeps what it had.
    criteria_set_load(actor=admin_user, path=source(FILE_2021))
    data["set"]["title_vi"] = "Không được lưu"
    with NothingWritten(), pytest.raises(RuleViolation, match="no valid confidence"):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data, "update.yaml"))
    assert CriteriaSet.objects.get(code=CODE_2021).title_vi == read(FILE_2021)["set"]["title_vi"]


def test_indicator_listed_twice_is_refused(admin_user, tmp_path):
    data = read(FILE_2021)
    crit_8 = next(c for c in data["criteria"] if c["number"] == 8)
    crit_8["indicators"].append(dict(crit_8["indicators"][0]))
    with NothingWritten(), pytest.raises(RuleViolation, match="lists indicator “8.1” twice"):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data))


def test_criterion_listed_twice_is_refused(admin_user, tmp_path):
    data = read(FILE_2021)
    data["criteria"].append({"number": 8, "name_vi": "Trùng", "indicators": []})
    with NothingWritten(), pytest.raises(RuleViolation, match="Criterion 8 is listed twice"):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data))


@pytest.mark.parametrize("entry, message", [
    ({"name_vi": "Không có số"}, "no valid “number”"),
    ("not a mapping", "must be a mapping"),
    ({"number": 20, "name_vi": "Mới", "indicators": "8.1"}, "must be a list"),
    ({"number": 20, "name_vi": ""}, "In criterion 20: name_vi"),
])
def test_malformed_criterion_entries_are_refused_readably(admin_user, tmp_path, entry, message):
    data = read(FILE_2026)
    data["criteria"].append(entry)
    with NothingWritten(), pytest.raises(RuleViolation, match=message):
        criteria_set_load(actor=admin_user, path=write(tmp_path, data))


def test_a_retired_criterion_retires_its_indicators(admin_user, tmp_path):
    criteria_set_load(actor=admin_user, path=source(FILE_2021))
    data = read(FILE_2021)
    data["criteria"] = [c for c in data["criteria"] if c["number"] != 8]
    report = criteria_set_load(actor=admin_user, path=write(tmp_path, data))
    assert report.indicators["retired"] == 4
    assert set(Indicator.objects.filter(criterion__number=8, criterion__criteria_set__code=CODE_2021)
               .values_list("retired", flat=True)) == {True}


def test_only_a_superuser_may_load(admin_user):
    clerk = get_user_model().objects.create_user("clerk", "clerk@example.invalid", "x",
                                                 is_staff=True)
    with NothingWritten(), pytest.raises(NotAllowed, match="Only an administrator"):
        criteria_set_load(actor=clerk, path=source(FILE_2026))
    with NothingWritten(), pytest.raises(NotAllowed, match="Only an administrator"):
        criteria_set_load(actor=None, path=source(FILE_2026))


# --- audit -------------------------------------------------------------------------------------

def test_every_load_writes_one_audit_event_by_the_admin(admin_user):
    assert AuditEvent.objects.count() == 0
    criteria_set_load(actor=admin_user, path=source(FILE_2026))
    criteria_set = CriteriaSet.objects.get(code=CODE_2026)
    events = list(AuditEvent.objects.filter(action="criteria_set.load"))
    assert len(events) == 1
    first = events[0]
    assert first.actor_id == admin_user.pk
    assert first.actor_name == "root"
    assert first.object_type == "dossiers.criteriaset"
    assert first.object_id == str(criteria_set.pk)
    assert first.before is None
    assert first.after["criteria"] == {"new": 10, "updated": 0, "retired": 0}
    assert first.after["valid_from"] == "2026-02-15"
    assert first.reason == f"loaded from {FILE_2026}"

    criteria_set_load(actor=admin_user, path=source(FILE_2026))
    criteria_set_load(actor=admin_user, path=source(FILE_2021))
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == ["criteria_set.load"] * 3
    assert {e.actor_id for e in events} == {admin_user.pk}
    assert events[1].object_id == str(criteria_set.pk)
    assert events[1].before["title_vi"] == criteria_set.title_vi
    assert events[1].after["criteria"] == {"new": 0, "updated": 10, "retired": 0}
    assert events[2].object_id == str(CriteriaSet.objects.get(code=CODE_2021).pk)


# --- the management command --------------------------------------------------------------------

@pytest.fixture
def criteria_dir(tmp_path, settings):
    folder = tmp_path / "criteria"
    folder.mkdir()
    for name in (FILE_2021, FILE_2026):
        shutil.copy(source(name), folder / name)
    settings.NTM_CRITERIA_DIR = folder
    return folder


def test_load_criteria_command_prints_one_line_per_file(admin_user, criteria_dir):
    out = io.StringIO()
    call_command("load_criteria", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{FILE_2021}: {CODE_2021}: criteria {{'new': 19,")
    assert lines[1].startswith(f"{FILE_2026}: {CODE_2026}: criteria {{'new': 10,")
    assert lines[1].endswith(f"{len(read(FILE_2026)['gaps'])} known gap(s).")
    assert set(CriteriaSet.objects.values_list("code", flat=True)) == {CODE_2021, CODE_2026}
    assert AuditEvent.objects.filter(action="criteria_set.load", actor=admin_user).count() == 2

    out = io.StringIO()
    call_command("load_criteria", str(criteria_dir / FILE_2026), stdout=out)
    assert out.getvalue().splitlines() == [
        f"{FILE_2026}: {CODE_2026}: criteria {{'new': 0, 'updated': 10, 'retired': 0}}, "
        f"indicators {{'new': 0, 'updated': 0, 'retired': 0}}, "
        f"{len(read(FILE_2026)['gaps'])} known gap(s)."]


def test_load_criteria_command_records_the_named_admin(admin_user, criteria_dir):
    other = get_user_model().objects.create_superuser("root2", "root2@example.invalid", "x")
    call_command("load_criteria", str(criteria_dir / FILE_2026), "--as", "root2",
                 stdout=io.StringIO())
    assert AuditEvent.objects.get(action="criteria_set.load").actor_id == other.pk


def test_load_criteria_command_needs_a_superuser(db, criteria_dir):
    get_user_model().objects.create_user("clerk", "clerk@example.invalid", "x", is_staff=True)
    with NothingWritten(), pytest.raises(CommandError, match="No active superuser"):
        call_command("load_criteria", stdout=io.StringIO())


def test_load_criteria_command_reports_a_bad_file(admin_user, criteria_dir, tmp_path):
    data = read(FILE_2026)
    data["set"]["level"] = "XYZ"
    bad = write(tmp_path, data, "bad.yaml")
    with NothingWritten(), pytest.raises(CommandError, match=r"bad\.yaml: Unknown level"):
        call_command("load_criteria", str(bad), stdout=io.StringIO())
