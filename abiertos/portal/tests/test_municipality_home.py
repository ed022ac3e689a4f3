"""The municipal home links each module, and each team member to their own work."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _home(client, municipality) -> str:
    response = client.get(reverse("portal:municipality_home", args=[municipality.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_see_the_modules_and_the_openness_scorecard_but_no_staff_links(client, municipality):
    html = _home(client, municipality)
    assert f'href="/m/{municipality.slug}/datos/"' in html
    assert f'href="{reverse("foi:municipality_requests", args=[municipality.slug])}"' in html
    assert f'href="{reverse("monitoring:scorecard", args=[municipality.slug])}"' in html
    assert "Para el equipo del municipio" not in html
    assert reverse("harvest:sources", args=[municipality.slug]) not in html
    assert reverse("foi:inbox", args=[municipality.slug]) not in html


def test_an_editor_gets_the_page_editor_and_harvest_links(client, municipality, editor):
    client.force_login(editor)
    html = _home(client, municipality)
    assert "Para el equipo del municipio" in html
    assert reverse("portal:municipality_edit", args=[municipality.slug]) in html
    assert reverse("harvest:sources", args=[municipality.slug]) in html
    assert reverse("foi:inbox", args=[municipality.slug]) not in html


def test_an_foi_officer_gets_the_inbox_only(client, municipality, foi_officer):
    client.force_login(foi_officer)
    html = _home(client, municipality)
    assert reverse("foi:inbox", args=[municipality.slug]) in html
    assert reverse("harvest:sources", args=[municipality.slug]) not in html
    assert reverse("portal:municipality_edit", args=[municipality.slug]) not in html


def test_staff_of_another_municipality_get_no_staff_links(client, other_municipality, editor, foi_officer):
    client.force_login(editor)
    assert "Para el equipo del municipio" not in _home(client, other_municipality)


def test_the_site_navigation_reaches_requests_and_openness(client, municipality):
    html = _home(client, municipality)
    assert f'href="{reverse("foi:archive")}">Pedidos de información</a>' in html
    assert f'href="{reverse("monitoring:dashboard")}">Apertura</a>' in html


def test_the_footer_links_the_province_wide_pages(client, municipality):
    html = _home(client, municipality)
    for name in ("datastore_query:schema_list", "monitoring:methodology", "foi:statistics"):
        assert f'href="{reverse(name)}"' in html, name
