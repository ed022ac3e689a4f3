"""Boundary features: reading, merging split partidos, describing geometries."""

from pathlib import Path

from django.conf import settings

from abiertos.core.boundaries import geometry_describe, geometry_merge
from abiertos.core.territory_sources import boundaries_source_read, boundary_features_read

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "territory"
A = [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]
B = [[[2.0, 2.0], [3.0, 2.0], [3.0, 3.0], [2.0, 2.0]]]
C = [[[5.0, 5.0], [6.0, 5.0], [6.0, 6.0], [5.0, 5.0]]]


def test_geometry_merge_keeps_a_single_geometry_as_is():
    polygon = {"type": "Polygon", "coordinates": A}
    assert geometry_merge([polygon]) is polygon


def test_geometry_merge_joins_polygons_and_multipolygons_into_one_multipolygon():
    merged = geometry_merge([{"type": "Polygon", "coordinates": A}, {"type": "MultiPolygon", "coordinates": [B, C]}])
    assert merged == {"type": "MultiPolygon", "coordinates": [A, B, C]}
    assert geometry_describe(merged) == "MultiPolygon de 3 polígono(s)"
    assert geometry_describe(None) == "sin límite"


def test_boundary_features_read_the_shared_layer_has_135_joinable_features():
    features, warnings = boundary_features_read(boundaries_source_read(str(SHARED / "partidos_pba.geojson")))
    assert warnings == []
    assert len(features) == 135
    assert {f.code: f.name for f in features}["06441"] == "La Plata"
    assert all(f.geometry["type"] in ("Polygon", "MultiPolygon") for f in features)


def test_boundary_features_read_with_other_property_names_and_nested_paths():
    raw = [
        {
            "type": "Feature",
            "properties": {"in1": 6441, "fna": "Partido de La Plata"},
            "geometry": {"type": "Polygon", "coordinates": A},
        },
        {"type": "Feature", "properties": {"in1": None}, "geometry": {"type": "Polygon", "coordinates": A}},
        {"type": "Feature", "properties": {"in1": "06007"}, "geometry": {"type": "Polygon", "coordinates": []}},
    ]
    features, warnings = boundary_features_read(raw, id_field="in1", name_field="fna")
    assert [(f.code, f.name) for f in features] == [("06441", "Partido de La Plata")]
    assert [(w.line, w.message) for w in warnings] == [
        (1, "el código «6441» no tiene ceros iniciales; se toma como 06441."),
        (2, "no tiene la propiedad «in1» con el código; se omite."),
        (3, "su geometría no tiene coordenadas; se omite."),
    ]
