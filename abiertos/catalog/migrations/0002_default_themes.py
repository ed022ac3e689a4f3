from django.db import migrations

# The province-wide theme taxonomy every municipality starts with (editable later by the province).
THEMES = [
    ("presupuesto", "Presupuesto"),
    ("gasto-publico", "Gasto público"),
    ("compras-y-contrataciones", "Compras y contrataciones"),
    ("obras-publicas", "Obras públicas"),
    ("sueldos-y-personal", "Sueldos y personal"),
    ("declaraciones-juradas", "Declaraciones juradas"),
    ("normativa", "Ordenanzas y normativa"),
    ("limites-administrativos", "Límites administrativos"),
    ("lugares-publicos", "Lugares públicos"),
    ("medio-ambiente", "Medio ambiente"),
    ("resultados-electorales", "Resultados electorales"),
    ("transporte-publico", "Transporte público"),
    ("salud", "Salud"),
    ("educacion", "Educación"),
    ("cultura-y-turismo", "Cultura y turismo"),
    ("seguridad", "Seguridad"),
    ("desarrollo-social", "Desarrollo social"),
    ("produccion-y-empleo", "Producción y empleo"),
    ("acceso-a-la-informacion", "Acceso a la información"),
    ("pauta-publicitaria", "Pauta publicitaria"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("catalog", "Theme")
    for identifier, label in THEMES:
        Theme.objects.get_or_create(identifier=identifier, defaults={"label": label})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(add_themes, migrations.RunPython.noop)]
