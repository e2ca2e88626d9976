"""Error pages speak the officials' language, also in production (DEBUG off)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.parametrize("path", ["/khong-co-trang-nay/", "/dossiers/999999999/"])
def test_not_found_is_vietnamese(db, settings, journey, path):
    settings.DEBUG = False
    client = Client()
    client.force_login(journey.commune_officer)
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Không tìm thấy trang</h1>" in html
    assert "Not Found" not in html


def test_server_error_page_renders_without_a_request_context(settings):
    settings.DEBUG = False
    with translation.override("vi"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>Đã có lỗi xảy ra</h1>" in response.content.decode()
