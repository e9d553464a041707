"""manage.py arrears_import FILE.csv [--kind accounts|transactions] [--dry-run] [--classify]: import
a housing system's nightly export of accounts or transactions (formats: docs/arrears-import.md;
the work: arrears.services.imports.import_csv).

Prints one summary line with the counts and the first rejected rows. The exit status is for the
scheduler: 0 when every row was imported (or was already there), 1 when some rows were rejected
(the others were imported), 2 when the file could not be read at all (no file, not UTF-8 text, a
wrong header: nothing was imported), with a sentence on stderr."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arrears.models import ImportKind
from arrears.services.imports import import_csv
from core import errors

SOME_REJECTED = 1
UNREADABLE = 2
SHOWN = 20  # rejected rows printed; the import run in the admin keeps up to a thousand


def utf8_problem(path: Path) -> str | None:
    """Why the file is not UTF-8 text (naming the line), or None. Checked before importing, so
    a bad byte half way through cannot leave the file half imported."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: max(error.start, 0)].count(b"\n")
                return f"{path} is not UTF-8 text (line {line}): save it as CSV (UTF-8)."
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"{path} is not UTF-8 text (it ends part-way through a character): save it as CSV (UTF-8)."
    return None


class Command(BaseCommand):
    help = (
        "Import rent and service-charge accounts, or their transactions, from a CSV export. Bad rows are "
        "rejected and listed; the rest are imported. Exit status 0: all imported; 1: some rows rejected; "
        "2: the file could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="The CSV file (UTF-8, with a header row), or - to read standard input.")
        parser.add_argument(
            "--kind",
            choices=ImportKind.values,
            help="Whether the file holds accounts or transactions (default: told from the header).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report, but write nothing.")
        parser.add_argument(
            "--classify",
            action="store_true",
            help="Re-classify the accounts the import touched (without sending letters: the nightly run does).",
        )

    def handle(self, *args, csv_file: str, kind: str | None, dry_run: bool, classify: bool, **options):
        if csv_file == "-":
            stream, name = sys.stdin, "standard input"
            report = self._import(stream, name, kind, dry_run, classify)
        else:
            path = Path(csv_file)
            if not path.is_file():
                raise CommandError(f"There is no file at {csv_file}.", returncode=UNREADABLE)
            problem = utf8_problem(path)
            if problem:
                raise CommandError(problem, returncode=UNREADABLE)
            # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
            with path.open(newline="", encoding="utf-8-sig") as stream:
                report = self._import(stream, path.name, kind, dry_run, classify)

        self.stdout.write(report.summary())
        for rejection in report.rejections[:SHOWN]:
            self.stdout.write(f"  line {rejection.line}, {rejection.field}: {rejection.message}")
        more = report.problems - min(len(report.rejections), SHOWN)
        if more:
            where = f" (import run {report.run_id} in the admin lists up to 1,000)" if report.run_id else ""
            self.stdout.write(f"  … and {more} more{where}.")
        if report.error:
            raise CommandError(report.error, returncode=UNREADABLE)
        if report.rejected:
            rows = "row was" if report.rejected == 1 else "rows were"
            raise CommandError(f"{report.rejected} {rows} rejected; see above.", returncode=SOME_REJECTED)

    def _import(self, stream, name: str, kind: str | None, dry_run: bool, classify: bool):
        try:
            return import_csv(actor=None, file=stream, name=name, kind=kind, dry_run=dry_run, classify=classify)
        except errors.ValidationError as error:
            raise CommandError(f"{name}: {error.message}", returncode=UNREADABLE) from None
