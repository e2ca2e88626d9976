"""The council on the dossier page: members see why they cannot vote yet, absent members see
why they cannot vote at all, a member sees their own vote, and the office sees the live tally
against the thresholds before closing."""

from django.urls import reverse

from tests.conftest import queries_of


def page_of(client, user, dossier):
    client.force_login(user)
    response = client.get(reverse("dossier", args=[dossier.pk]))
    assert response.status_code == 200
    return response


def vote_url(dossier):
    return reverse("dossier_action", args=[dossier.pk, "vote"])


def test_a_member_waits_for_attendance_then_votes_and_sees_their_vote(client, journey, kit):
    journey.to_consolidation()
    journey.schedule()
    member = kit.council_members[0]
    page = page_of(client, member, journey.dossier)
    [council] = page.context["council_items"]
    assert council.state == "waiting"
    html = page.content.decode()
    assert "Việc biểu quyết bắt đầu khi Văn phòng Điều phối ghi nhận thành viên có mặt" in html
    assert vote_url(journey.dossier) not in html

    journey.open_meeting(present=4)
    page = page_of(client, member, journey.dossier)
    assert page.context["council_items"][0].state == "vote"
    html = page.content.decode()
    assert html.count(vote_url(journey.dossier)) == 1
    assert html.count("data-confirm=\"Biểu quyết") == 2  # for and against both ask first

    client.post(vote_url(journey.dossier), {"item": journey.item.pk, "in_favour": "no"})
    page = page_of(client, member, journey.dossier)
    [council] = page.context["council_items"]
    assert council.state == "voted" and council.vote.in_favour is False
    html = page.content.decode()
    assert 'id="my-vote"' in html and "Bạn đã biểu quyết <strong>không tán thành</strong>" in html
    assert vote_url(journey.dossier) not in html


def test_an_absent_member_sees_why_they_cannot_vote(client, journey, kit):
    journey.to_consolidation()
    journey.schedule()
    journey.open_meeting(present=4)
    absent = kit.council_members[-1]
    page = page_of(client, absent, journey.dossier)
    assert page.context["council_items"][0].state == "absent"
    html = page.content.decode()
    assert "Bạn không có tên trong danh sách có mặt tại phiên họp này" in html
    assert vote_url(journey.dossier) not in html


def test_the_office_sees_the_live_tally_against_the_thresholds(client, journey, kit):
    journey.to_consolidation()
    journey.schedule()
    journey.open_meeting(present=4)
    journey.vote(in_favour=2, present=3)  # 2 for, 1 against, 1 present member not voted yet
    page = page_of(client, kit.users["vpdp"], journey.dossier)
    [council] = page.context["council_items"]
    assert council.state is None  # the office is not a member of the council
    members = len(kit.council_members)
    assert (council.tally.present, council.tally.members) == (4, members)
    assert (council.tally.votes_for, council.tally.votes_against, council.not_voted) == (2, 1, 1)
    assert council.approval_rate == "50%"
    html = page.content.decode()
    assert f"<td>4 / {members}</td>" in html
    assert "50% số thành viên có mặt biểu quyết tán thành" in html
    assert council.tally.explanation in html and not council.tally.approved


def test_the_council_section_costs_the_same_queries_for_more_votes(client, journey, kit):
    journey.to_consolidation()
    journey.schedule()
    journey.open_meeting()
    client.force_login(kit.users["vpdp"])
    url = reverse("dossier", args=[journey.dossier.pk])
    client.get(url)
    journey.vote(present=1)
    few, _ = queries_of(lambda: client.get(url))
    from workflow import services

    for member in kit.council_members[1:]:  # the rest vote too
        services.vote_cast(actor=member, item=journey.item, in_favour=True)
    many, _ = queries_of(lambda: client.get(url))
    assert many == few
