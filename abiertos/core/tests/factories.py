"""Small factories for the territory, used by every app's tests."""

import itertools

from django.utils.text import slugify

from abiertos.core.models import Municipality, Province

_seq = itertools.count(1)


def province_make(code: str = "06", name: str = "Buenos Aires") -> Province:
    province, _ = Province.objects.get_or_create(code=code, defaults={"name": name, "slug": slugify(name)})
    return province


def municipality_make(name: str | None = None, code: str | None = None, **extra) -> Municipality:
    n = next(_seq)
    name = name or f"Municipio {n}"
    province = extra.pop("province", None) or province_make()
    return Municipality.objects.create(
        province=province,
        code=code or f"99{n:03d}",
        name=name,
        full_name=f"Partido de {name}",
        slug=extra.pop("slug", None) or slugify(name),
        **extra,
    )
