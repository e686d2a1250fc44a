"""Message catalogs: the `.po` files of one language merged into one catalog, and compiled.

`python -m agency.catalogs` compiles `web/locale/<language>/*.po` into
`web/locale/<language>/LC_MESSAGES/messages.mo` (the image does it at build time; `make
catalogs` locally). Without a compiled file the web app merges the `.po` files when it starts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# A file path, not an import: the catalogs belong to the web app, compiling them needs no web.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"
DOMAIN = "messages"


def po_files(locale_dir: Path, language: str) -> list[Path]:
    return sorted((locale_dir / language).glob("*.po"))


def merged_catalog(locale_dir: Path, language: str) -> Catalog:
    """Every `.po` file of `language` merged into one catalog (a later file wins a clash)."""
    merged = Catalog(locale=language)
    for path in po_files(locale_dir, language):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if message.id:
                    merged[message.id] = message
    return merged


def compiled_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compiled_is_current(locale_dir: Path, language: str) -> bool:
    """True when the compiled catalog exists and no `.po` file is newer than it."""
    target = compiled_path(locale_dir, language)
    if not target.is_file():
        return False
    built = target.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in po_files(locale_dir, language))


def compile_language(locale_dir: Path, language: str) -> tuple[Path, int]:
    """Write the merged catalog of `language` as a `.mo` file (atomically); returns its path
    and how many messages it holds."""
    catalog = merged_catalog(locale_dir, language)
    target = compiled_path(locale_dir, language)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog)
        os.chmod(temporary, 0o644)  # built by root in the image, read by the service's user
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target, len(catalog)


def languages(locale_dir: Path) -> list[str]:
    """The languages that have at least one `.po` file."""
    return sorted(
        p.name for p in locale_dir.iterdir() if p.is_dir() and po_files(locale_dir, p.name)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agency.catalogs", description="Compile the web app's message catalogs."
    )
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    locale_dir: Path = args.locale_dir
    found = languages(locale_dir) if locale_dir.is_dir() else []
    if not found:
        parser.error(f"no .po files under {locale_dir}")
    for language in found:
        target, count = compile_language(locale_dir, language)
        print(f"{language}: {count} messages -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
