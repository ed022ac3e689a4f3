from abiertos.accounts.tests.factories import PASSWORD
from abiertos.catalog import services
from abiertos.catalog.models import Dataset
from abiertos.catalog.tests.factories import dataset_make, metadata_make


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_history_lists_revisions_and_restores_earlier_title(client, municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True, identifier="tasas", title="Tasas municipales")
    services.dataset_update(
        dataset=dataset, metadata=metadata_make(identifier="tasas", title="Tasas corregidas"), by=actor(editor)
    )
    _login(client, editor)
    body = client.get("/m/la-plata/datos/tasas/historial/").content.decode()
    assert "Tasas corregidas" in body
    assert "Tasas municipales" in body
    # Revision 1 had no files: restoring it onto a published dataset is refused with a reason.
    refused = client.post("/m/la-plata/datos/tasas/historial/1/restaurar/", follow=True).content.decode()
    assert "no tenía recursos" in refused
    response = client.post("/m/la-plata/datos/tasas/historial/3/restaurar/")
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.title == "Tasas municipales"
    assert dataset.revisions.count() == 5


def test_history_is_not_shown_to_the_public(client, municipality):
    dataset_make(municipality, publish=True, identifier="privado")
    response = client.get("/m/la-plata/datos/privado/historial/")
    assert response.status_code == 302
    assert "/cuentas/ingresar/" in response["Location"]


def test_delete_asks_confirmation_then_trash_restores(client, municipality, editor):
    dataset_make(municipality, publish=True, identifier="borrar", title="Para borrar")
    _login(client, editor)
    confirm = client.get("/m/la-plata/datos/borrar/eliminar/").content.decode()
    assert "¿Eliminar «Para borrar»?" in confirm
    assert Dataset.objects.get(identifier="borrar").deleted_at is None
    response = client.post("/m/la-plata/datos/borrar/eliminar/")
    assert response["Location"] == "/m/la-plata/datos/papelera/"
    client.logout()
    assert client.get("/m/la-plata/datos/borrar/").status_code == 404
    _login(client, editor)
    trash = client.get("/m/la-plata/datos/papelera/").content.decode()
    assert "Para borrar" in trash
    client.post("/m/la-plata/datos/borrar/restaurar/")
    client.logout()
    assert client.get("/m/la-plata/datos/borrar/").status_code == 200


def test_trash_denied_to_editor_of_other_municipality(client, municipality, other_municipality, editor):
    _login(client, editor)
    assert client.get("/m/bahia-blanca/datos/papelera/").status_code == 403
