"""The compiled message catalog translates exactly as the in-memory merge of the `.po` files."""

from __future__ import annotations

import gettext
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo

from agency import catalogs
from web import i18n

PLURAL_COUNTS = (0, 1, 2, 3, 4, 5, 11, 21, 22, 25, 100, 101)


@pytest.fixture
def locale_dir(tmp_path: Path) -> Path:
    """A copy of the app's catalogs, so that compiling never touches the source tree."""
    copy = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, copy, ignore=shutil.ignore_patterns("LC_MESSAGES"))
    return copy


@pytest.fixture
def app_locale(locale_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """web.i18n reading `locale_dir`, with its translations cache emptied before and after."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    i18n.translations.cache_clear()
    yield locale_dir
    i18n.translations.cache_clear()


def _compiled(locale_dir: Path) -> gettext.GNUTranslations:
    with catalogs.compiled_path(locale_dir, "cs").open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_the_compiled_catalog_translates_every_msgid_as_the_merge(app_locale: Path) -> None:
    assert catalogs.main(["--locale-dir", str(app_locale)]) == 0
    compiled, in_memory = _compiled(app_locale), i18n.merged_translations("cs")
    messages = [m for m in catalogs.merged_catalog(app_locale, "cs") if m.id]
    assert len(messages) > 100  # the catalog really holds the app's messages
    plurals = 0
    for message in messages:
        if isinstance(message.id, tuple | list):
            singular, plural = message.id[0], message.id[1]
            plurals += 1
            for n in PLURAL_COUNTS:
                expected = in_memory.ngettext(singular, plural, n)
                assert compiled.ngettext(singular, plural, n) == expected, (singular, n)
        else:
            assert compiled.gettext(message.id) == in_memory.gettext(message.id), message.id
    assert plurals > 0  # Czech plural forms are compared too
    assert compiled.gettext("Name") == "Jméno"  # a known translation, not an identity map


def test_the_app_loads_the_compiled_catalog_when_it_is_current(app_locale: Path) -> None:
    path, count = catalogs.compile_language(app_locale, "cs")
    assert count > 100
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # readable by the service's user
    assert i18n.compiled_translations("cs") is not None
    # Marked so that the test can tell which catalog the app uses.
    marked = catalogs.merged_catalog(app_locale, "cs")
    marked["Name"].string = "Jméno (přeloženo)"
    with path.open("wb") as out:
        write_mo(out, marked)
    assert i18n.translate("cs", "Name") == "Jméno (přeloženo)"


def test_the_app_merges_in_memory_without_a_compiled_catalog(app_locale: Path) -> None:
    assert not catalogs.compiled_path(app_locale, "cs").exists()
    assert i18n.compiled_translations("cs") is None
    assert i18n.translate("cs", "Name") == "Jméno"
    assert i18n.translate("en", "Name") == "Name"


def test_a_po_file_newer_than_the_compiled_catalog_wins(app_locale: Path) -> None:
    path, _ = catalogs.compile_language(app_locale, "cs")
    edited = app_locale / "cs" / "admin.po"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace('msgstr "Jméno"', 'msgstr "Jméno osoby"'), encoding="utf-8")
    built = path.stat().st_mtime
    os.utime(edited, (built + 10, built + 10))
    assert not catalogs.compiled_is_current(app_locale, "cs")
    assert i18n.translate("cs", "Name") == "Jméno osoby"


def test_compiling_without_catalogs_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        catalogs.main(["--locale-dir", str(tmp_path)])
    assert raised.value.code == 2
