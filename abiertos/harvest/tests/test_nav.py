"""The site menu reaches the province-wide harvest list for the people who may see sources."""

import pytest
from django.urls import reverse

NAV_LINK = f'<li><a href="{reverse("harvest:province_sources")}">Cosecha</a></li>'


def _menu(client, user=None):
    if user is not None:
        client.force_login(user)
    body = client.get(reverse("catalog:search")).content.decode()
    return body.split('<ul class="nav">', 1)[1].split("</ul>", 1)[0]


@pytest.mark.django_db
def test_menu_has_no_harvest_link_for_anonymous_visitors(client):
    assert "Cosecha" not in _menu(client)


@pytest.mark.parametrize("who", ["citizen", "foi_officer"])
def test_menu_has_no_harvest_link_for_people_without_catalog_staff_roles(client, request, who):
    assert "Cosecha" not in _menu(client, request.getfixturevalue(who))


@pytest.mark.parametrize("who", ["provincial_admin", "editor"])
def test_menu_links_the_province_harvest_list_for_catalog_staff(client, request, who):
    assert NAV_LINK in _menu(client, request.getfixturevalue(who))


def test_province_harvest_list_lists_every_municipality_for_the_province(client, provincial_admin, municipality):
    from .factories import source_make

    source_make(municipality, "https://datos.ejemplo.gob.ar/data.json", title="Portal de La Plata")
    client.force_login(provincial_admin)
    body = client.get(reverse("harvest:province_sources")).content.decode()
    assert "Portal de La Plata" in body


@pytest.mark.django_db
def test_province_harvest_list_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("harvest:province_sources"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
