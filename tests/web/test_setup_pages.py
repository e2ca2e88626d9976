"""The set-up pages: the coordination office's own province only, forms through the services."""

import re

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from dossiers.models import Commune


def pages(province, commune, agency):
    p = province.pk
    return [reverse("setup"), reverse("setup_province", args=[p]),
            reverse("setup_communes", args=[p]), reverse("setup_commune", args=[p, commune.pk]),
            reverse("setup_agencies", args=[p]), reverse("setup_agency", args=[p, agency.pk]),
            reverse("setup_responsibilities", args=[p]), reverse("setup_profiles", args=[p]),
            reverse("setup_batches", args=[p])]


def test_the_office_sees_its_own_set_up_and_not_anothers(client, kit, other_kit):
    client.force_login(kit.users["vpdp"])
    home = client.get(reverse("home"))
    assert reverse("setup").encode() in home.content
    for url in pages(kit.province, kit.communes[0], kit.agencies["xd"]):
        assert client.get(url).status_code == 200, url
    for url in pages(other_kit.province, other_kit.communes[0], other_kit.agencies["xd"])[1:]:
        assert client.get(url).status_code == 404, url
    # Filters narrow the lists.
    page = client.get(reverse("setup_agencies", args=[kit.province.pk]), {"kind": "department"})
    assert len(re.findall(r'href="/setup/\d+/agencies/\d+/"', page.content.decode())) == 7
    client.force_login(kit.users["so_xd"])
    assert client.get(reverse("setup")).status_code == 404


def test_a_commune_is_classified_on_its_page(client, kit):
    client.force_login(kit.users["vpdp"])
    commune = kit.communes[0]
    url = reverse("setup_commune", args=[kit.province.pk, commune.pk])
    refused = client.post(url, {"action": "classify", "classify-group": "1"})
    assert refused.status_code == 200  # the page again, with the service's reason
    assert Commune.objects.get(pk=commune.pk).group == 2
    with translation.override("vi"):  # the page speaks Vietnamese
        reason = gettext("Give the date the commune's group was decided.")
    assert [str(m) for m in refused.context["messages"]] == [reason]
    done = client.post(url, {"action": "classify", "classify-group": "1",
                             "classify-group_decided_on": "2026-03-01",
                             "classify-reason": "QĐ 5/QĐ-UBND"})
    assert done.status_code == 302
    commune.refresh_from_db()
    assert (commune.group, commune.group_decided_on.isoformat()) == (1, "2026-03-01")
    event = AuditEvent.objects.filter(action="commune.classify").order_by("-seq").first()
    assert (event.before["group"], event.after["group"]) == (2, 1)
    bad = client.post(url, {"action": "village", "village-name": "", "village-households": "-1"})
    assert bad.status_code == 200
    assert sorted(bad.context["all_forms"]["village"].errors) == ["households", "name"]


def test_a_batch_is_closed_on_the_batches_page(client, kit):
    client.force_login(kit.users["vpdp"])
    url = reverse("setup_batches", args=[kit.province.pk])
    response = client.post(url, {"action": "edit", "edit-batch": kit.batch.pk, "edit-title": "",
                                 "edit-closed": "on", "edit-reason": "Hết hạn đăng ký"})
    assert response.status_code == 302
    kit.batch.refresh_from_db()
    assert kit.batch.closed is True
