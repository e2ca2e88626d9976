"""Event notifications: the people concerned are told at once (in the application, and by
e-mail after the commit unless they turned it off), in their own language."""

from notifications.events import event_email_send, preference_set
from notifications.models import Notification
from notifications.tasks import send_event_email
from workflow import services


def _told(event):
    return sorted((n.user.username, n.title) for n in Notification.objects.filter(event=event))


def _english(*users):
    for user in users:
        preference_set(actor=user, email_on_events=True, language="en")


def test_a_returned_criterion_tells_the_commune_in_app_and_by_email(
        journey, django_capture_on_commit_callbacks, mailoutbox):
    officer = journey.commune_officer
    _english(officer)
    journey.to_appraisal()
    item = next(i for i in journey.items("xd") if i.criterion.number == 1)
    with django_capture_on_commit_callbacks() as callbacks:
        services.appraisal_record(actor=journey.u("so_xd"), item=item, result="returned",
                                  remark="Bổ sung bản đồ quy hoạch")
    assert _told("appraisal.returned") == [
        (officer.username, "Criterion 1 of Xã Thử Hà Tĩnh 1 returned for supplement")]
    notification = Notification.objects.get(event="appraisal.returned")
    assert (notification.url, notification.body) == (
        f"/dossiers/{journey.dossier.pk}/", "Sở Xây dựng asks for: Bổ sung bản đồ quy hoạch")
    # The e-mail leaves only after the commit: one callback queues it, nothing is sent before.
    assert len(callbacks) == 1
    assert mailoutbox == []
    assert send_event_email.apply(args=[notification.pk]).get() == "sent"
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([officer.email], "[NTM] Criterion 1 of Xã Thử Hà Tĩnh 1 returned for supplement")]
    assert "Sở Xây dựng asks for: Bổ sung bản đồ quy hoạch" in mailoutbox[0].body
    assert event_email_send(notification.pk) == "skipped"  # once only
    assert len(mailoutbox) == 1


def test_no_email_when_turned_off_but_still_in_app(journey, django_capture_on_commit_callbacks):
    officer = journey.commune_officer
    preference_set(actor=officer, email_on_events=False, language="en")
    journey.to_appraisal()
    item = next(i for i in journey.items("xd") if i.criterion.number == 1)
    with django_capture_on_commit_callbacks() as callbacks:
        services.appraisal_record(actor=journey.u("so_xd"), item=item, result="returned",
                                  remark="Bổ sung")
    assert callbacks == []
    notification = Notification.objects.get(event="appraisal.returned")
    assert notification.user == officer
    assert event_email_send(notification.pk) == "not wanted"


def test_other_events_tell_nobody(journey):
    journey.to_appraisal()
    journey.appraise_all()
    assert Notification.objects.exclude(event="").count() == 0


def test_a_refusal_tells_the_commune(journey):
    _english(journey.commune_officer)
    journey.to_consolidation()
    services.dossier_refuse(actor=journey.u("vpdp"), dossier=journey.dossier,
                            reason="Nợ đọng xây dựng cơ bản")
    assert _told("dossier.refuse") == [
        (journey.commune_officer.username,
         "Xã Thử Hà Tĩnh 1: the dossier was refused (new rural area (NTM))")]
    assert Notification.objects.get(event="dossier.refuse").body == "Nợ đọng xây dựng cơ bản"


def test_a_vote_opening_tells_the_members_present(journey):
    members = journey.kit.council_members
    _english(*members)
    journey.to_consolidation()
    journey.schedule()
    journey.open_meeting(present=4)
    title = f"Voting is open: {journey.meeting.title}"
    assert _told("meeting.open") == sorted((m.username, title) for m in members[:4])
    assert Notification.objects.filter(user=members[4], event="meeting.open").count() == 0
    assert Notification.objects.get(user=members[0], event="meeting.open").body == (
        "Xã Thử Hà Tĩnh 1")


def test_a_deferral_is_told_in_each_recipients_language(journey):
    officer = journey.commune_officer
    journey.to_consolidation()
    journey.schedule()
    journey.open_meeting()
    journey.vote()
    _english(officer)
    journey.close_vote(defer=True, reason="Bổ sung tiêu chí 1")
    english = Notification.objects.get(user=officer, event="dossier.defer")
    assert (english.title, english.body) == (
        "Xã Thử Hà Tĩnh 1: the council deferred the dossier (new rural area (NTM))",
        "Bổ sung tiêu chí 1")


def test_the_level_reads_in_vietnamese_for_a_vietnamese_reader(journey):
    officer = journey.commune_officer
    preference_set(actor=officer, email_on_events=True, language="vi")
    journey.to_consolidation()
    services.dossier_refuse(actor=journey.u("vpdp"), dossier=journey.dossier, reason="Nợ")
    title = Notification.objects.get(user=officer, event="dossier.refuse").title
    assert title.endswith("(nông thôn mới (NTM))")


def test_a_signed_decision_tells_the_commune_and_the_coordination_office(journey):
    office = [m.user for m in journey.kit.agencies["coordination"].memberships.order_by("pk")]
    _english(journey.commune_officer, *office)
    journey.to_awaiting_decision()
    journey.decide()
    title = "Xã Thử Hà Tĩnh 1: the recognition decision was signed (new rural area (NTM))"
    assert _told("dossier.recognise") == sorted(
        [(journey.commune_officer.username, title), *((u.username, title) for u in office)])
