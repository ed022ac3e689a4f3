def test_page_needing_login_redirects_anonymous_visitor_back_after_login(client, municipality):
    response = client.get("/m/la-plata/datos/nuevo/?paso=1")
    assert response.status_code == 302
    assert response["Location"] == "/cuentas/ingresar/?next=/m/la-plata/datos/nuevo/%3Fpaso%3D1"


def test_missing_municipality_renders_spanish_404(client, db):
    response = client.get("/m/no-existe/")
    assert response.status_code == 404
    assert "No existe ese municipio." in response.content.decode()
