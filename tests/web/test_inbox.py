"""The inbox keeps its "what is due" view once a person has completed tasks."""

import re

from django.urls import reverse
from django.utils import timezone

from tests.web.test_pages import act

# The pages speak Vietnamese: "due on" twice (mine, queue), then "completed at".
DUE_DUE_DONE = ["Hạn hoàn thành", "Hạn hoàn thành", "Thời điểm hoàn thành"]


def _headers(html: str) -> list[str]:
    return re.findall(r"<th>([^<]*)</th></tr></thead>", html)


def test_open_tables_show_due_dates_after_a_completed_task(client, journey):
    dossier, officer = journey.dossier, journey.commune_officer
    client.force_login(officer)
    before = client.get(reverse("home"))
    assert _headers(before.content.decode()) == DUE_DUE_DONE

    lines = {}
    page = client.get(reverse("dossier", args=[dossier.pk]))
    for row in page.context["criteria"]:
        lines.update({f"met_{row.criterion.pk}_0": "yes", f"value_{row.criterion.pk}_0": "đạt"})
    today = timezone.localdate()
    act(client, officer, dossier, "self_assessment",
        {**lines, "finish": "1", "posting_starts_on": today.strftime("%d/%m/%Y")})

    after = client.get(reverse("home"))
    assert [d.task.flow_task.name for d in after.context["done"]] == ["self_assessment"]
    html = after.content.decode()
    assert _headers(html) == DUE_DUE_DONE
    queue = after.context["queue"]
    assert [d.task.flow_task.name for d in queue] == ["public_posting"]
    assert queue[0].due_on is not None
    assert queue[0].due_on.strftime("%d/%m/%Y") in html
