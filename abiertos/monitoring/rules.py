"""Every rule of the validator: whether the national validator has it, how serious it is, and what
to tell the publisher (what is wrong, how to fix it), in Spanish.

Messages take ``%(where)s`` (the JSON path), and some ``%(field)s``, ``%(value)s``, ``%(n)s``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    profile: bool  # True: pydatajson has this rule too
    level: str
    message: Promise
    fix: Promise


def _p(message, fix) -> Rule:
    return Rule(True, "error", message, fix)


def _ours(message, fix, level="warning") -> Rule:
    return Rule(False, level, message, fix)


RULES: dict[str, Rule] = {
    # The national profile (pydatajson's schema and custom checks).
    "required": _p(
        _("En %(where)s falta el campo obligatorio «%(field)s»."),
        _("Completá «%(field)s»: el perfil nacional de metadatos lo exige."),
    ),
    "not_object": _p(
        _("%(where)s no tiene la forma esperada (un objeto con campos)."),
        _("Revisá cómo se genera el catálogo: este nodo tiene que ser un objeto JSON con sus campos."),
    ),
    "not_array": _p(
        _("%(where)s tiene que ser una lista."),
        _("Escribilo como una lista JSON, aunque tenga un solo elemento."),
    ),
    "not_text": _p(
        _("%(where)s tiene que ser un texto."),
        _("Escribí el valor como texto (o dejalo vacío si es optativo)."),
    ),
    "empty_text": _p(
        _("%(where)s está vacío."),
        _("Escribí un texto: este campo no puede quedar en blanco."),
    ),
    "text_list": _p(
        _("%(where)s tiene que ser una lista de textos, sin elementos vacíos."),
        _("Quitá los elementos vacíos o que no sean texto."),
    ),
    "email": _p(
        _("«%(value)s» (%(where)s) no es una dirección de correo válida."),
        _("Escribí una sola dirección completa, como datos@municipio.gob.ar."),
    ),
    "uri": _p(
        _("«%(value)s» (%(where)s) no es una dirección web completa."),
        _("Escribí la dirección completa, empezando con https://, sin espacios ni tildes."),
    ),
    "date": _p(
        _("«%(value)s» (%(where)s) no es una fecha en formato ISO 8601."),
        _("Escribí la fecha como AAAA-MM-DD (por ejemplo 2024-03-31) o AAAA-MM-DDThh:mm:ss."),
    ),
    "title_long": _p(
        _("El título (%(where)s) tiene %(n)s caracteres; el máximo es 100."),
        _("Acortá el título a 100 caracteres y pasá el detalle a la descripción."),
    ),
    "super_theme_empty": _p(
        _("%(where)s: hace falta al menos un tema global."),
        _("Elegí uno o más temas globales de la lista nacional (por ejemplo GOVE o ECON)."),
    ),
    "super_theme_unknown": _p(
        _("%(where)s: temas globales desconocidos (%(value)s)."),
        _("Usá solo AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, REGI, SOCI, TECH o TRAN."),
    ),
    "periodicity": _p(
        _("«%(value)s» (%(where)s) no es una frecuencia de actualización válida."),
        _("Usá un código ISO 8601 como R/P1Y (anual), R/P1M (mensual) o «eventual»."),
    ),
    "keyword": _p(
        _("%(where)s: palabras clave con caracteres no permitidos (%(value)s)."),
        _("Usá solo letras, números, espacios y los signos . _ -; separá cada palabra clave en su propio elemento."),
    ),
    "temporal": _p(
        _("«%(value)s» (%(where)s) no es una cobertura temporal válida."),
        _("Escribí inicio/fin como AAAA-MM-DD/AAAA-MM-DD, por ejemplo 2023-01-01/2023-12-31."),
    ),
    "byte_size": _p(
        _("«%(value)s» (%(where)s) no es un tamaño en bytes."),
        _("Escribí el tamaño del archivo como un número entero de bytes, sin unidades."),
    ),
    "field_title": _p(
        _("%(where)s: el nombre de la columna supera los 60 caracteres o no es texto."),
        _("Acortá el nombre de la columna a 60 caracteres; la explicación va en su descripción."),
    ),
    "theme_repeated": _p(
        _("La taxonomía de temas repite identificadores: %(value)s."),
        _("Dale a cada tema un identificador único."),
    ),
    "dataset_repeated": _p(
        _("%(where)s repite exactamente otro conjunto de datos."),
        _("Borrá la copia duplicada."),
    ),
    "extension": _p(
        _("%(where)s: la extensión del archivo no corresponde al formato «%(value)s»."),
        _("Corregí el formato declarado o el nombre del archivo para que coincidan."),
    ),
    # Checks the national validator lacks.
    "publisher_mbox_missing": _ours(
        _("El catálogo no tiene correo del organismo que publica (publisher.mbox)."),
        _("Agregá un correo institucional de contacto: el perfil nacional lo pide."),
    ),
    "dataset_id_repeated": _ours(
        _("El identificador de conjunto «%(value)s» se repite %(n)s veces."),
        _("Cada conjunto de datos necesita un identificador único en el catálogo."),
        "error",
    ),
    "distribution_id_repeated": _ours(
        _("El identificador de recurso «%(value)s» se repite %(n)s veces en el catálogo."),
        _("Cada recurso necesita un identificador único en todo el catálogo (por ejemplo «presupuesto-2025-csv»)."),
        "error",
    ),
    "identifier_chars": _ours(
        _("El identificador «%(value)s» (%(where)s) tiene caracteres no permitidos."),
        _("Usá solo letras sin tilde, números, guiones, guiones bajos y puntos."),
        "error",
    ),
    "theme_not_in_taxonomy": _ours(
        _("%(where)s: los temas %(value)s no están en la taxonomía del catálogo."),
        _("Elegí temas de la taxonomía del catálogo, o agregalos a ella."),
        "error",
    ),
    "modified_before_issued": _ours(
        _("%(where)s: la última actualización es anterior a la fecha de publicación."),
        _("Corregí las fechas: «modified» no puede ser anterior a «issued»."),
        "error",
    ),
    "periodicity_not_listed": _ours(
        _("La frecuencia «%(value)s» (%(where)s) no está en la lista nacional."),
        _("Elegí una de la lista (R/P1Y, R/P6M, R/P3M, R/P1M, R/P1W, R/P1D…) o «eventual»."),
    ),
    "temporal_impossible": _ours(
        _("La cobertura temporal «%(value)s» (%(where)s) tiene una fecha que no existe."),
        _("Revisá el día y el mes de cada fecha."),
        "error",
    ),
    "temporal_reversed": _ours(
        _("En la cobertura temporal «%(value)s» (%(where)s) el inicio es posterior al fin."),
        _("Invertí las fechas: primero el inicio, después el fin."),
        "error",
    ),
    "description_short": _ours(
        _("La descripción (%(where)s) es muy breve."),
        _("Contá qué datos contiene, de dónde salen y para qué sirven (al menos un par de oraciones)."),
    ),
    "license_missing": _ours(
        _("%(where)s: el conjunto no declara licencia."),
        _("Elegí una licencia abierta, por ejemplo Creative Commons Atribución 4.0."),
    ),
    "modified_missing": _ours(
        _("%(where)s: falta la fecha de última actualización; sin ella el conjunto cuenta como desactualizado."),
        _("Indicá cuándo se actualizaron los datos por última vez."),
    ),
    "theme_missing": _ours(
        _("%(where)s: el conjunto no tiene temas."),
        _("Elegí al menos un tema de la taxonomía: ayuda a encontrarlo y a medir el índice."),
    ),
    "keyword_missing": _ours(
        _("%(where)s: el conjunto no tiene palabras clave."),
        _("Agregá palabras clave con las que la gente buscaría estos datos."),
    ),
    "no_distributions": _ours(
        _("%(where)s no tiene ningún recurso descargable."),
        _("Subí al menos un archivo de datos (CSV, por ejemplo) o un enlace de descarga."),
        "error",
    ),
    "format_missing": _ours(
        _("%(where)s: el recurso no declara su formato."),
        _("Indicá el formato del archivo (CSV, XLSX, JSON…)."),
    ),
    "link_broken": _ours(
        _("El enlace %(value)s (%(where)s) no responde: %(n)s."),
        _("Revisá que el archivo siga publicado en esa dirección, o actualizá el enlace."),
        "error",
    ),
}
