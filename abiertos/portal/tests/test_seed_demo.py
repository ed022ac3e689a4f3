from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from abiertos.accounts.models import Membership, Role, User
from abiertos.catalog.models import Dataset
from abiertos.core.models import AuditEvent, Municipality
from abiertos.core.tests.factories import municipality_make
from abiertos.portal.management.commands import seed_demo

ADMIN = "admin@demo.municipiosabiertos.ar"


@pytest.fixture
def demo_territory(db, settings, tmp_path, monkeypatch):
    # The catalog step is slow (it builds and ingests files): only its own test runs it.
    quick = [step for step in seed_demo.SEED_STEPS if step.run is not seed_demo.seed_catalog]
    monkeypatch.setattr(seed_demo, "SEED_STEPS", quick)
    settings.VAR_DIR = tmp_path / "var"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name, code, slug in [
        ("La Plata", "06441", "la-plata"),
        ("Bahía Blanca", "06056", "bahia-blanca"),
        ("General Pueyrredón", "06357", "general-pueyrredon"),
        ("Tandil", "06791", "tandil"),
    ]:
        municipality_make(name, code=code, slug=slug)
    return settings.VAR_DIR


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def password_in(var_dir) -> str:
    lines = (var_dir / "demo-credentials.txt").read_text(encoding="utf-8").splitlines()
    return next(line.removeprefix("password=") for line in lines if line.startswith("password="))


def test_seed_demo_creates_one_account_per_role(demo_territory):
    seed()
    roles = set(Membership.objects.values_list("user__email", "role", "municipality__code"))
    assert roles == {
        (ADMIN, Role.PROVINCIAL_ADMIN, None),
        ("editor.laplata@demo.municipiosabiertos.ar", Role.MUNICIPAL_EDITOR, "06441"),
        ("editor.bahiablanca@demo.municipiosabiertos.ar", Role.MUNICIPAL_EDITOR, "06056"),
        ("acceso.laplata@demo.municipiosabiertos.ar", Role.FOI_OFFICER, "06441"),
    }
    citizen = User.objects.get(email="vecina@demo.municipiosabiertos.ar")
    assert citizen.email_confirmed
    assert not citizen.memberships.exists()
    assert User.objects.get(email=ADMIN).is_superuser


def test_seed_demo_prints_a_password_that_logs_in(demo_territory, client):
    output = seed()
    password = password_in(demo_territory)
    assert ADMIN in output
    assert f"contraseña: {password}" in output
    assert "http://127.0.0.1:8000/cuentas/ingresar/" in output
    assert client.login(username=ADMIN, password=password)
    assert client.login(username="vecina@demo.municipiosabiertos.ar", password=password)


def test_seed_demo_twice_keeps_password_and_adds_no_duplicates(demo_territory):
    first = seed()
    counts = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    second = seed()
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == counts
    password = password_in(demo_territory)
    assert f"contraseña: {password}" in first
    assert f"contraseña: {password}" in second


def test_seed_demo_marks_municipal_pages_as_demo_and_audits_them(demo_territory):
    seed()
    la_plata = Municipality.objects.get(code="06441")
    tandil = Municipality.objects.get(code="06791")
    assert la_plata.intro.startswith("Contenido de demostración.")
    assert (la_plata.primary_color, tandil.primary_color) == ("#1b5e20", "#6a1b9a")
    event = AuditEvent.objects.get(action="municipality.update", municipality=la_plata)
    assert (event.actor_label, event.via) == ("sistema", "demo")
    assert AuditEvent.objects.filter(action="membership.grant", via="demo").count() == 4


def test_seed_demo_publishes_demo_datasets_once(demo_territory, monkeypatch):
    monkeypatch.setattr(
        seed_demo, "SEED_STEPS", [*seed_demo.SEED_STEPS, seed_demo.SeedStep("datos", seed_demo.seed_catalog)]
    )
    output = seed()
    datasets = Dataset.objects.filter(is_demo=True)
    count = datasets.count()
    assert count >= 4
    assert set(datasets.values_list("municipality__code", flat=True)) == {"06441", "06056", "06357", "06791"}
    assert f"{count} conjuntos de datos nuevos" in output
    assert "0 conjuntos de datos nuevos" in seed()
    assert Dataset.objects.filter(is_demo=True).count() == count


def test_seed_demo_restores_password_when_credentials_file_was_lost(demo_territory, client):
    seed()
    (demo_territory / "demo-credentials.txt").unlink()
    output = seed()
    new_password = password_in(demo_territory)
    assert f"contraseña: {new_password}" in output
    assert client.login(username=ADMIN, password=new_password)


def test_seed_demo_without_territory_explains_what_to_run(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="load_territory"):
        call_command("seed_demo", "--force", stdout=StringIO())
