"""The English translation is complete and safe to use.

The catalogs: locale/en/LC_MESSAGES/django.po for the project's shared templates and the older
apps, and abiertos/<app>/locale/en/LC_MESSAGES/django.po for each app that keeps its own (its
strings go there, not to the shared one). Spanish is the source language: every user-facing
string is a Spanish msgid. When you add or change one, update the catalogs and translate:

    .venv/bin/python manage.py makemessages -l en --ignore='.venv*' --ignore=node_modules \
        --ignore=bench --ignore=test-results
    # (or, for one app only: cd abiertos/<app> && ../../.venv/bin/python ../../manage.py makemessages -l en)
    # edit the django.po files: fill every msgstr, remove "#, fuzzy"
    make messages        # compiles django.mo; commit django.po and django.mo together

These tests check that
- every entry of the catalog is translated and none is fuzzy;
- msgid and msgstr carry the same placeholders (%(name)s, %s, %%, {name}), HTML tags and entities;
- every string makemessages finds in the source right now is translated in the catalog
  (it runs makemessages on a scratch copy of the source, never touching locale/);
- the committed django.mo matches django.po;
- switching the language to English through /i18n/setlang/ renders the site in English.
"""

import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Every English catalog: the shared one and those of the apps that keep their own.
PO_PATHS = [PO_PATH, *sorted((BASE_DIR / "abiertos").glob("*/locale/en/LC_MESSAGES/django.po"))]
# The folders the documented makemessages command skips (plus what it skips by default).
IGNORE_PATTERNS = [".venv*", "node_modules", "bench", "test-results"]
# Extensions makemessages reads for the "django" domain.
SOURCE_EXTENSIONS = (".html", ".txt", ".py")
HOW_TO_FIX = (
    "Run: .venv/bin/python manage.py makemessages -l en --ignore='.venv*' --ignore=node_modules "
    "--ignore=bench --ignore=test-results, translate the entries in locale/en/LC_MESSAGES/django.po "
    "and abiertos/<app>/locale/en/LC_MESSAGES/django.po (and remove '#, fuzzy'), then `make messages`."
)
needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext (xgettext, msgfmt) is not installed",
)


# --- A small .po reader (enough for what makemessages writes) -------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(quoted: str) -> str:
    quoted = quoted.strip()
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise ValueError(f"not a quoted string: {quoted!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), quoted[1:-1])


class _PoReader:
    """Reads a .po file line by line into entries."""

    def __init__(self) -> None:
        self.entries: list[dict] = []
        self.entry: dict | None = None
        self.field: str | tuple | None = None

    def finish(self) -> None:
        if self.entry is not None and self.entry["msgid"] is not None and not self.entry["obsolete"]:
            self.entries.append(self.entry)
        self.entry, self.field = None, None

    def start(self, lineno: int) -> None:
        self.entry = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
            "refs": [],
            "line": lineno,
            "obsolete": False,
        }

    def comment(self, line: str) -> None:
        if line.startswith("#~"):
            self.entry["obsolete"] = True
        elif line.startswith("#,"):
            self.entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            self.entry["refs"] += line[2:].split()

    def keyword(self, lineno: int, keyword: str, index: str | None, value: str) -> None:
        if keyword in ("msgctxt", "msgid") and self.field not in (None, "msgctxt"):
            self.finish()  # two entries without a blank line between them
            self.start(lineno)
        if keyword.startswith("msgstr"):
            self.field = ("msgstr", int(index or 0))
            self.entry["msgstr"][self.field[1]] = _unquote(value)
        else:
            self.field = keyword
            self.entry[keyword] = _unquote(value)

    def continuation(self, line: str) -> None:
        if isinstance(self.field, tuple):
            self.entry["msgstr"][self.field[1]] += _unquote(line)
        else:
            self.entry[self.field] += _unquote(line)

    def feed(self, lineno: int, line: str) -> None:
        if not line.strip():
            self.finish()
            return
        if self.entry is None:
            self.start(lineno)
        if line.startswith("#"):
            self.comment(line)
        elif match := _KEYWORD.match(line):
            self.keyword(lineno, *match.groups())
        elif line.startswith('"') and self.field is not None:
            self.continuation(line)
        else:
            raise ValueError(f"line {lineno}: cannot parse {line!r}")


def po_entries(path: Path) -> list[dict]:
    """Active entries (header and obsolete '#~' entries left out), in file order.

    Each entry: msgctxt, msgid, msgid_plural (None when absent), msgstr ({index: text}),
    flags (set), refs (list of "file:line"), line (where the entry starts)."""
    reader = _PoReader()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        reader.feed(lineno, line)
    reader.finish()
    return [e for e in reader.entries if e["msgid"] != "" or e["msgctxt"] is not None]


def key(entry: dict) -> tuple:
    return (entry["msgctxt"], entry["msgid"], entry["msgid_plural"])


def describe(entry: dict) -> str:
    where = entry["refs"][0] if entry["refs"] else f"{entry.get('catalog', 'django.po')}:{entry['line']}"
    context = f"[{entry['msgctxt']}] " if entry["msgctxt"] else ""
    plural = f" / {entry['msgid_plural']!r}" if entry["msgid_plural"] else ""
    return f"  {where}: {context}{entry['msgid']!r}{plural}"


def is_translated(entry: dict) -> bool:
    forms = 2 if entry["msgid_plural"] is not None else 1
    return (
        "fuzzy" not in entry["flags"]
        and len(entry["msgstr"]) >= forms
        and all(text.strip() for text in entry["msgstr"].values())
    )


@pytest.fixture(scope="module")
def catalog() -> list[dict]:
    """The entries of every English catalog, each tagged with the catalog it comes from."""
    assert PO_PATH.exists(), f"{PO_PATH.relative_to(BASE_DIR)} is missing. {HOW_TO_FIX}"
    entries = []
    for path in PO_PATHS:
        for entry in po_entries(path):
            entry["catalog"] = str(path.relative_to(BASE_DIR))
            entries.append(entry)
    return entries


# --- (a) complete, nothing fuzzy -------------------------------------------------------------


@pytest.mark.parametrize("path", PO_PATHS, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_the_catalog_declares_english_and_its_plural_forms(path):
    header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header, f"The header of {path} is fuzzy: msgfmt would ignore it."
    assert '"Language: en\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    assert catalog, "The catalog has no entries."
    pending = [describe(e) + (" (fuzzy)" if "fuzzy" in e["flags"] else "") for e in catalog if not is_translated(e)]
    assert not pending, f"{len(pending)} untranslated or fuzzy entries in the catalogs:\n" + "\n".join(pending)


# Letters and signs that belong to Spanish, not English: a msgstr with them was probably
# copied from the msgid. Add a msgid here if its English really needs one of them.
SPANISH_ONLY = re.compile(r"[áéíóúÁÉÍÓÚñÑ¿¡]")
ALLOWED_SPANISH_LETTERS: set[str] = set()


def test_no_translation_is_still_spanish(catalog):
    suspicious = [
        describe(e) + f" -> {text!r}"
        for e in catalog
        if e["msgid"] not in ALLOWED_SPANISH_LETTERS
        for text in e["msgstr"].values()
        if SPANISH_ONLY.search(text)
    ]
    assert not suspicious, "These translations still look Spanish:\n" + "\n".join(suspicious)


# --- (b) placeholders, tags and entities survive translation ---------------------------------

_PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?(?P<spec>[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%])"
)
_BRACES = re.compile(r"\{\{\s*[\w.|:\"' ]+?\s*\}\}|\{\w*\}")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def placeholders(text: str) -> dict:
    named, positional, percents = set(), [], 0
    for match in _PRINTF.finditer(text):
        if match["spec"] == "%" and match["name"] is None:
            percents += 1
        elif match["name"] is not None:
            named.add(f"%({match['name']}){match['spec']}")
        else:
            positional.append(f"%{match['spec']}")
    return {
        "named": named,
        "positional": positional,
        "%%": percents,
        "braces": set(_BRACES.findall(text)),
        "tags": Counter(tag.lower() for tag in _TAG.findall(text)),
        "entities": Counter(_ENTITY.findall(text)),
    }


def _differences(expected: dict, found: dict) -> list[str]:
    return [
        f"{kind}: expected {expected[kind]!r}, found {found[kind]!r}"
        for kind in expected
        if expected[kind] != found[kind]
    ]


def test_placeholders_match_between_msgid_and_msgstr(catalog):
    problems = []
    for entry in catalog:
        if not is_translated(entry):
            continue  # reported by the test above
        if entry["msgid_plural"] is None:
            forms = {0: placeholders(entry["msgid"])}
        else:
            # The singular may spell out the number ("Un municipio…") instead of %(counter)s.
            singular, plural = placeholders(entry["msgid"]), placeholders(entry["msgid_plural"])
            forms = {index: plural for index in entry["msgstr"]}
            forms[0] = singular
        for index, text in sorted(entry["msgstr"].items()):
            expected, found = forms.get(index, forms[0]), placeholders(text)
            differences = _differences(expected, found)
            if entry["msgid_plural"] is not None and index == 0 and differences:
                # msgstr[0] may use what the plural uses (e.g. %(counter)s) even if msgid does not.
                plural = placeholders(entry["msgid_plural"])
                differences = [] if not _differences(plural, found) else differences
            if differences:
                problems.append(describe(entry) + f" msgstr[{index}] {text!r}: " + "; ".join(differences))
    assert not problems, "Placeholders, tags or entities differ between msgid and msgstr:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes():
    assert placeholders("%(n)d filas de %(t)s, 50%%")["named"] == {"%(n)d", "%(t)s"}
    assert placeholders("%(n)d filas de %(t)s, 50%%")["%%"] == 1
    assert placeholders("Subiendo {percent}%% de {total}")["braces"] == {"{percent}", "{total}"}
    assert placeholders("Tipo desconocido: %s")["positional"] == ["%s"]
    assert placeholders('<a href="%(url)s">ver</a>')["tags"] == Counter({"a": 2})
    assert _differences(placeholders("%(size).1f MB"), placeholders("%(size)s MB"))
    assert _differences(placeholders("Hola {{ name }}"), placeholders("Hello {{ nombre }}"))
    assert not _differences(placeholders("%(a)s y %(b)s"), placeholders("%(b)s and %(a)s"))


# --- (c) every string in the source is in the catalog, translated ----------------------------


def _is_ignored(name: str) -> bool:
    # makemessages' default ignores (".*", "*~", "*.pyc", "CVS") plus the documented ones.
    return any(fnmatch(name, pattern) for pattern in [*IGNORE_PATTERNS, ".*", "*~", "*.pyc", "CVS", "locale"])


def _copy_sources(destination: Path) -> int:
    """Copy the files makemessages would read (not locale/, media or static roots) to destination."""
    skip_roots = {Path(p).resolve() for p in (settings.MEDIA_ROOT, settings.STATIC_ROOT) if p}
    copied = 0
    for root, dirs, files in os.walk(BASE_DIR):
        root_path = Path(root)
        dirs[:] = [d for d in dirs if not _is_ignored(d) and (root_path / d).resolve() not in skip_roots]
        for name in files:
            if name.endswith(SOURCE_EXTENSIONS) and not _is_ignored(name):
                target = destination / (root_path / name).relative_to(BASE_DIR)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root_path / name, target)
                copied += 1
    return copied


@needs_gettext
def test_every_string_in_the_source_is_translated(catalog, tmp_path, monkeypatch):
    """Runs Django's makemessages on a scratch copy of the sources, so the result is exactly
    what the real command would extract, and compares it with the committed catalog."""
    source, output = tmp_path / "src", tmp_path / "out" / "locale"
    assert _copy_sources(source) > 0
    (output / "en" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[str(output)]):
        call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True)
    extracted = po_entries(output / "en" / "LC_MESSAGES" / "django.po")
    assert extracted, "makemessages extracted nothing: is the copy of the sources empty?"

    translated = {key(e) for e in catalog if is_translated(e)}
    missing = [describe(e) for e in extracted if key(e) not in translated]
    assert not missing, (
        f"{len(missing)} Spanish strings in the source have no English translation:\n"
        + "\n".join(missing)
        + f"\n{HOW_TO_FIX}"
    )


def test_javascript_has_no_strings_for_a_missing_javascript_catalog():
    """The scripts read their messages from data- attributes rendered (and translated) by the
    templates. If one starts calling gettext(), it needs a djangojs catalog too."""
    if (PO_PATH.parent / "djangojs.po").exists():
        return
    calls = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for path in sorted((BASE_DIR / "static").rglob("*.js"))
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if re.search(r"\b(?:n|p|np)?gettext\s*\(|\binterpolate\s*\(", line)
    ]
    assert not calls, (
        "These scripts call gettext() but there is no djangojs catalog (makemessages -d djangojs):\n" + "\n".join(calls)
    )


# --- The compiled catalog --------------------------------------------------------------------


@needs_gettext
@pytest.mark.parametrize("po_path", PO_PATHS, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_the_committed_mo_matches_the_po(po_path, tmp_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(BASE_DIR)} is missing: run `make messages`."
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po_path)], check=True, capture_output=True)
    with mo_path.open("rb") as committed_file, fresh.open("rb") as fresh_file:
        committed, expected = gettext.GNUTranslations(committed_file), gettext.GNUTranslations(fresh_file)
    assert committed._catalog == expected._catalog, (
        f"{mo_path.relative_to(BASE_DIR)} is out of date with its django.po: run `make messages` and commit it."
    )


# --- The site in English ---------------------------------------------------------------------


@pytest.mark.django_db
def test_switching_to_english_renders_the_site_in_english(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="es-AR"' in page.content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert ">Municipalities<" in html
    assert ">Data<" in html
    assert "Saltar al contenido" not in html

    client.post("/i18n/setlang/", {"language": "es-ar", "next": "/"})
    html = client.get("/").content.decode()
    assert "Saltar al contenido" in html
    assert 'lang="es-AR"' in html


@pytest.mark.django_db
def test_a_browser_that_prefers_english_gets_english(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
