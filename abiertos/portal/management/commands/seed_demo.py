"""Fill a local installation with demo accounts and content, idempotently.

Everything is written through services acting as ``Actor.system("demo")``, so it lands in the
audit trail like any other change, and everything is marked «Contenido de demostración».

The work is a list of steps (``SEED_STEPS``). A later app adds its demo content (datasets, FOI
requests…) by writing a function ``def seed_x(ctx: DemoContext) -> list[str]`` — idempotent, it
returns the lines to print — and appending a ``SeedStep`` to the list.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from abiertos.accounts.models import Role, User
from abiertos.accounts.selectors import membership_list_for
from abiertos.accounts.services import membership_grant
from abiertos.catalog.demo import DEMO_MUNICIPALITY_CODES, demo_catalog_seed
from abiertos.catalog.models import Dataset
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.models import Municipality
from abiertos.datastore.demo import demo_standards_seed
from abiertos.foi.demo import demo_foi_seed, demo_open_datasets
from abiertos.portal.services import municipality_profile_update

DEMO_DOMAIN = "demo.municipiosabiertos.ar"
DEMO_MARK = "Contenido de demostración"
CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str | None = None  # None: a citizen without a role
    municipality_code: str | None = None
    superuser: bool = False


DEMO_USERS = [
    DemoUser(f"admin@{DEMO_DOMAIN}", "Administración provincial (demo)", Role.PROVINCIAL_ADMIN, superuser=True),
    DemoUser(f"editor.laplata@{DEMO_DOMAIN}", "Edición La Plata (demo)", Role.MUNICIPAL_EDITOR, "06441"),
    DemoUser(f"editor.bahiablanca@{DEMO_DOMAIN}", "Edición Bahía Blanca (demo)", Role.MUNICIPAL_EDITOR, "06056"),
    DemoUser(f"acceso.laplata@{DEMO_DOMAIN}", "Acceso a la información La Plata (demo)", Role.FOI_OFFICER, "06441"),
    DemoUser(f"vecina@{DEMO_DOMAIN}", "Vecina (demo)"),
]

# (code, colour, intro). Codes are georef/INDEC departamento ids.
DEMO_MUNICIPALITIES = [
    (
        "06441",
        "#1b5e20",
        "La Plata, capital de la provincia, publica acá su presupuesto, sus compras y el arbolado urbano.",
    ),
    ("06056", "#0d47a1", "Bahía Blanca comparte los datos del puerto, del transporte público y de sus ordenanzas."),
    (
        "06357",
        "#00695c",
        "General Pueyrredón (Mar del Plata) abre los datos del turismo, de las playas y de las obras públicas.",
    ),
    ("06791", "#6a1b9a", "Tandil publica la ejecución de su presupuesto y los pedidos de acceso a la información."),
]


@dataclass
class DemoContext:
    """What every seeding step gets: who acts, and the shared demo password."""

    by: Actor
    password: str


@dataclass(frozen=True)
class SeedStep:
    name: str
    run: Callable[[DemoContext], list[str]]


def _municipality(code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise CommandError(
            f"No está cargado el municipio con código {code}. Cargá el territorio primero: "
            "python manage.py load_territory"
        )
    return municipality


@transaction.atomic
def _demo_user_ensure(*, spec: DemoUser, password: str, by: Actor) -> User:
    """Create the demo user (confirmed e-mail), or bring its password and flags back in line."""
    user = User.objects.select_for_update().filter(email=spec.email).first()
    if user is None:
        user = User.objects.create_user(
            email=spec.email,
            password=password,
            full_name=spec.full_name,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
            email_confirmed_at=timezone.now(),
        )
        audit_record(actor=by, action="user.create", target=user, changes={"email": user.email, "demo": True})
        return user
    if not user.check_password(password) or not user.is_active or user.email_confirmed_at is None:
        user.set_password(password)
        user.is_active = True
        user.email_confirmed_at = user.email_confirmed_at or timezone.now()
        user.save()
        audit_record(actor=by, action="user.demo_reset", target=user, changes={"demo": True})
    return user


def seed_users(ctx: DemoContext) -> list[str]:
    """The demo accounts, one per role, all with the same password."""
    lines = []
    for spec in DEMO_USERS:
        user = _demo_user_ensure(spec=spec, password=ctx.password, by=ctx.by)
        where = ""
        if spec.role is not None:
            municipality = _municipality(spec.municipality_code) if spec.municipality_code else None
            held = {(m.role, m.municipality_id) for m in membership_list_for(user=user)}
            if (spec.role, municipality.pk if municipality else None) not in held:
                membership_grant(user=user, role=spec.role, municipality=municipality, by=ctx.by)
            where = f" · {municipality.name}" if municipality else ""
        label = Role(spec.role).label if spec.role else "Vecina con correo confirmado"
        lines.append(f"  {label}{where}: {spec.email}")
    return lines


def seed_municipality_pages(ctx: DemoContext) -> list[str]:
    """Intro text and colours for a few municipal homes."""
    lines = []
    for code, colour, intro in DEMO_MUNICIPALITIES:
        municipality = _municipality(code)
        municipality_profile_update(
            municipality=municipality,
            by=ctx.by,
            intro=f"{DEMO_MARK}. {intro}",
            primary_color=colour,
            website=municipality.website,
            contact_email=municipality.contact_email,
            enabled_modules=list(municipality.enabled_modules or []),
        )
        lines.append(f"  {municipality.name}: {settings.SITE_URL}{municipality.get_absolute_url()}")
    return lines


def seed_catalog(ctx: DemoContext) -> list[str]:
    """Budgets, public works and procurement datasets (CSV and XLSX) for the demo municipalities."""
    created = demo_catalog_seed(by=ctx.by)
    lines = [f"  {len(created)} conjuntos de datos nuevos en esta corrida"]
    for municipality in Municipality.objects.filter(code__in=DEMO_MUNICIPALITY_CODES).order_by("name"):
        count = Dataset.objects.filter(municipality=municipality, is_demo=True).count()
        url = reverse("catalog:municipality_datasets", kwargs={"municipality_slug": municipality.slug})
        lines.append(f"  {municipality.name}: {count} conjuntos · {settings.SITE_URL}{url}")
    return lines


def seed_foi(ctx: DemoContext) -> list[str]:
    """Access-to-information requests in every state, and each municipality's dataset of requests."""
    requester = User.objects.get(email=f"vecina@{DEMO_DOMAIN}")
    created = demo_foi_seed(by=ctx.by, requester=requester)
    datasets = demo_open_datasets(by=ctx.by)
    lines = [f"  {len(created)} pedidos nuevos en esta corrida; {len(datasets)} conjuntos de pedidos actualizados"]
    lines.append(f"  Archivo: {settings.SITE_URL}{reverse('foi:archive')}")
    return lines


def seed_datastore_standards(ctx: DemoContext) -> list[str]:
    """The «Obras públicas» standard schema, so the cross-municipality table has content."""
    return demo_standards_seed(by=ctx.by)


SEED_STEPS: list[SeedStep] = [
    SeedStep("Cuentas de demostración", seed_users),
    SeedStep("Páginas de municipios", seed_municipality_pages),
    SeedStep("Datos abiertos de demostración", seed_catalog),
    SeedStep("Datos estándar entre municipios", seed_datastore_standards),
    SeedStep("Pedidos de acceso a la información", seed_foi),
]


def demo_password(var_dir: Path) -> tuple[str, Path]:
    """The demo password kept in VAR_DIR, created on the first run so re-runs print the same one."""
    path = Path(var_dir) / CREDENTIALS_FILE
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("password="):
                password = line.removeprefix("password=").strip()
                if password:
                    return password, path
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Municipios Abiertos · {DEMO_MARK}: cuentas locales, nunca para producción.",
        f"# Las cuentas: {', '.join(u.email for u in DEMO_USERS)}",
        f"password={password}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password, path


class Command(BaseCommand):
    help = "Crea (o actualiza) las cuentas y el contenido de demostración. Se puede correr muchas veces."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Sembrar aunque la base no sea SQLite (solo para un servidor de demostración).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "sqlite" and not options["force"]:
            raise CommandError(
                "seed_demo crea cuentas con una contraseña conocida. La base no es SQLite: si de verdad es "
                "un servidor de demostración, volvé a correrlo con --force."
            )
        password, path = demo_password(settings.VAR_DIR)
        ctx = DemoContext(by=Actor.system("demo"), password=password)
        report = []
        with transaction.atomic():  # a step that fails leaves nothing half-seeded
            for step in SEED_STEPS:
                report.append(f"{step.name}:")
                report.extend(step.run(ctx))
        self._print_summary(report, password, path)

    def _print_summary(self, report: list[str], password: str, path: Path) -> None:
        login_url = settings.SITE_URL + reverse("accounts:login")
        self.stdout.write(f"{DEMO_MARK} listo.")
        for line in report:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Ingresá en {login_url}"))
        self.stdout.write(self.style.SUCCESS(f"  correo:     {DEMO_USERS[0].email}"))
        self.stdout.write(self.style.SUCCESS(f"  contraseña: {password}"))
        self.stdout.write(f"  (la misma contraseña sirve para todas las cuentas de demostración; guardada en {path})")
