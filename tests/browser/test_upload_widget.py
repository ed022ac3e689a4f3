"""The resumable upload widget: a file goes up in chunks, survives a dropped chunk, and hands its
upload id to the form (static/js/upload.js, templates/catalog/includes/upload_widget.html)."""

import hashlib

import pytest
from django import forms
from django.template.loader import render_to_string
from playwright.sync_api import expect

from abiertos.catalog.models import UploadSession

from .conftest import axe_check
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

CONTENT = b"".join(f"{i},fila {i}\n".encode() for i in range(600))


class _Form(forms.Form):
    file = forms.FileField(label="Archivo", required=False, help_text="CSV, XLSX, ODS…")
    upload_session = forms.UUIDField(required=False, widget=forms.HiddenInput)


def _page_html(municipality) -> str:
    form = _Form()
    widget = render_to_string(
        "catalog/includes/upload_widget.html",
        {"field": form["file"], "session_field": form["upload_session"], "municipality": municipality},
    )
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Subida</title></head>'
        f'<body><main><h1>Subida</h1><form method="post" enctype="multipart/form-data">{widget}'
        '<button type="submit">Guardar</button></form></main></body></html>'
    )


def test_file_uploads_in_chunks_resumes_after_a_dropped_chunk_and_fills_the_form(page, settings, municipality, editor):
    settings.UPLOAD_CHUNK_BYTES = 1000
    log_in(page, editor.email)
    html = _page_html(municipality)
    page.route("**/prueba-subida/", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    puts = []

    def drop_second_chunk(route):
        if route.request.method == "PUT":
            puts.append(route.request.headers.get("content-range"))
            if len(puts) == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/api/v1/uploads/*", drop_second_chunk)
    page.goto("/prueba-subida/")
    page.get_by_label("Archivo").set_input_files(
        files=[{"name": "padron.csv", "mimeType": "text/csv", "buffer": CONTENT}]
    )
    status = page.get_by_role("status")
    expect(status).to_contain_text("Archivo subido completo", timeout=20_000)
    session = UploadSession.objects.get()
    assert session.checksum_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert page.locator("input[name=upload_session]").input_value() == str(session.id)
    # The file is on the server: the form must not send it again.
    assert page.locator("input[type=file]").get_attribute("name") is None
    assert page.locator("progress").evaluate("el => el.value") == 100
    assert puts[1] == puts[2] == f"bytes 1000-1999/{len(CONTENT)}"
    axe_check(page)
