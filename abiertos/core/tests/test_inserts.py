import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record_many
from abiertos.core.inserts import objects_insert, rows_insert
from abiertos.core.models import AuditEvent, Municipality

from .factories import province_make

pytestmark = pytest.mark.django_db

BUENOS_AIRES = timezone(timedelta(hours=-3))


def _municipalities(prefix: str, count: int) -> list[Municipality]:
    province = province_make()
    return [
        Municipality(
            province=province,
            code=f"{prefix}{i:04d}",
            name=f"Municipio {i}",
            slug=f"{prefix}-municipio-{i}",
            centroid_lat=-34.5 + i / 100,
            population=1000 * i if i % 2 else None,
            is_active=bool(i % 3),
            boundary={"type": "Point", "coordinates": [-58.0, -34.5]} if i % 2 else None,
        )
        for i in range(count)
    ]


def _stored(model, pks, *, leave_out: set[str]) -> list[dict]:
    rows = model.objects.filter(pk__in=pks).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in leave_out} for row in rows]


def test_objects_insert_stores_what_bulk_create_stores(municipality):
    by_django = Municipality.objects.bulk_create(_municipalities("7", 5))
    ours = _municipalities("8", 5)
    objects_insert(ours)

    leave_out = {"id", "code", "slug", "updated_at"}  # updated_at: auto_now, the time of each insert
    assert _stored(Municipality, [m.pk for m in ours], leave_out=leave_out) == _stored(
        Municipality, [m.pk for m in by_django], leave_out=leave_out
    )
    stored = Municipality.objects.get(code="80001")
    assert stored.boundary == {"type": "Point", "coordinates": [-58.0, -34.5]}
    assert stored.enabled_modules == Municipality._meta.get_field("enabled_modules").get_default()
    assert stored.population == 1000
    assert stored.is_active is True
    assert stored.logo.name == ""


def test_objects_insert_sets_the_ids_in_order_across_statements(db):
    # More rows than one statement takes on SQLite (999 parameters / 18 columns = 55 rows).
    ours = _municipalities("6", 130)
    objects_insert(ours)

    by_code = dict(Municipality.objects.filter(code__startswith="6").values_list("code", "pk"))
    assert len(by_code) == 130
    assert [m.pk for m in ours] == [by_code[m.code] for m in ours]
    assert all(not m._state.adding and m._state.db == connection.alias for m in ours)


def test_objects_insert_fills_auto_now_add_and_foreign_keys_saved_after_assignment(municipality):
    later = Municipality(province=municipality.province, code="55555", name="Nuevo", slug="nuevo")
    event = AuditEvent(actor_label="sistema", via="test", action="prueba", municipality=later)
    later.save()  # saved after being assigned: its id is taken now, as bulk_create does
    before = datetime.now(UTC)

    objects_insert([event])

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.municipality_id == later.pk
    assert before <= stored.created_at <= datetime.now(UTC)
    assert event.created_at == stored.created_at


def test_objects_insert_refuses_an_unsaved_related_object(municipality):
    unsaved = Municipality(province=municipality.province, code="44444", name="Sin guardar", slug="sin-guardar")
    with pytest.raises(ValueError, match="unsaved related object 'municipality'"):
        objects_insert([AuditEvent(actor_label="sistema", via="test", action="prueba", municipality=unsaved)])
    assert not AuditEvent.objects.filter(action="prueba").exists()


def test_objects_insert_refuses_a_row_that_has_an_id(municipality):
    with pytest.raises(ValueError, match="new rows only"):
        objects_insert([municipality])


def test_rows_insert_converts_datetimes_json_and_foreign_keys(municipality):
    local = datetime(2024, 1, 10, 9, 30, tzinfo=BUENOS_AIRES)
    utc = datetime(2024, 1, 10, 12, 30, 0, 123456, tzinfo=UTC)
    columns = ["created_at", "actor_label", "via", "ip", "action", "municipality_id", "changes"]
    count = rows_insert(
        AuditEvent,
        columns,
        [
            (local, "sistema", "test", "", "local", municipality.pk, {"a": [1, "dos"]}),
            (utc, "sistema", "test", "", "utc", None, {}),
        ],
    )

    assert count == 2
    stored = {e.action: e for e in AuditEvent.objects.filter(via="test")}
    assert stored["local"].created_at == local  # the same instant, whatever the zone it came in
    assert stored["local"].municipality == municipality
    assert stored["local"].changes == {"a": [1, "dos"]}
    assert stored["utc"].created_at == utc
    assert stored["utc"].municipality_id is None
    assert stored["utc"].changes == {}


def test_rows_insert_warns_of_a_naive_datetime_as_django_does(db):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows_insert(
            AuditEvent,
            ["created_at", "actor_label", "via", "action"],
            [(datetime(2024, 1, 10), "s", "t", "x")],  # noqa: DTZ001 (naive on purpose)
        )
    assert any("received a naive datetime" in str(w.message) for w in caught)


def test_audit_record_many_writes_one_event_per_target(municipality, other_municipality):
    count = audit_record_many(
        actor=Actor.system("cosecha"),
        action="municipality.touch",
        targets=[(municipality, {"name": ["A", "B"]}), (other_municipality, None)],
        municipality=municipality,
    )

    assert count == 2
    events = AuditEvent.objects.filter(action="municipality.touch").order_by("id")
    assert [(e.target_type, e.target_id, e.target_repr, e.changes) for e in events] == [
        ("core.municipality", str(municipality.pk), str(municipality), {"name": ["A", "B"]}),
        ("core.municipality", str(other_municipality.pk), str(other_municipality), {}),
    ]
    assert {(e.actor_id, e.actor_label, e.via, e.municipality_id) for e in events} == {
        (None, "sistema", "cosecha", municipality.pk)
    }


def test_a_refused_row_is_django_s_integrity_error_and_no_batch_stays(db):
    """On PostgreSQL the rows go through the driver's COPY, outside Django's cursor wrapper: its
    errors must still be Django's (as on SQLite), and a failed insert leaves none of its rows."""
    from django.db import IntegrityError, transaction

    first, second = _municipalities("77", 2)
    second.code = first.code  # unique
    with pytest.raises(IntegrityError), transaction.atomic():
        objects_insert([first, second])
    assert not Municipality.objects.filter(code=first.code).exists()
