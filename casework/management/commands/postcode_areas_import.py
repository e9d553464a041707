"""manage.py postcode_areas_import FILE.csv [--replace]: load the region lookup.

Each row is `prefix,patch_code` (a header row "prefix,patch_code" is allowed and skipped; blank
lines are ignored), e.g.

    prefix,patch_code
    DB1,N01
    DB1 9,N02
    021,S01

The load is all or nothing: on a bad row the command writes nothing, prints a sentence naming
the line and exits non-zero. See casework.services.regions.postcode_areas_import.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.services import regions
from core import errors

HEADER = ["prefix", "patch_code"]


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, fields) for every non-blank row, without the optional header."""
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [(line, fields) for line, fields in enumerate(csv.reader(handle), start=1) if any(fields)]
    except FileNotFoundError:
        raise CommandError(f"There is no file at {path}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a UTF-8 text file; save it as CSV (UTF-8).") from None
    except csv.Error as error:
        raise CommandError(f"{path} is not a CSV file we can read: {error}.") from None
    if rows and [field.strip().lower() for field in rows[0][1]] == HEADER:
        rows = rows[1:]
    return rows


class Command(BaseCommand):
    help = "Load the postcode-to-patch lookup from a CSV file of prefix,patch_code rows (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path, help="CSV with columns prefix,patch_code.")
        parser.add_argument("--replace", action="store_true", help="Also remove prefixes that are not in the file.")

    def handle(self, *args, csv_file: Path, replace: bool = False, **options):
        rows = read_rows(csv_file)
        try:
            result = regions.postcode_areas_import(actor=None, rows=rows, replace=replace)
        except errors.ValidationError as error:
            others = error.fields.get("rows", [])[1:]
            more = f" Also: {' '.join(others)}" if others else ""
            raise CommandError(f"{error.message} Nothing was loaded.{more}") from None
        self.stdout.write(
            f"Loaded {csv_file.name}: {result.created} new, {result.updated} changed, {result.unchanged} unchanged, "
            f"{result.deleted} removed; {result.properties_changed} properties' patches re-derived."
        )
