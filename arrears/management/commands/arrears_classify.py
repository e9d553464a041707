"""manage.py arrears_classify --facts FILE.json [--now ISO_DATETIME] [--explain]: classify
accounts described as facts (see arrears.facts_json for the format) and print each one's
classification as JSON, in input order. Nothing stored is read or changed, so a supervisor can
try the rules on real or made-up cases. Input that cannot be read exits with status 2 and one sentence
naming the problem (the record and the field for a bad record). The rules are the ones the nightly
run uses: the stored rule set of the account kind (--kind, rent by default)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from arrears import rules
from arrears.facts_json import FactsError, load_records, parse_moment

BAD_INPUT = 2


def rule_settings_for_command(kind: str) -> rules.RuleSettings:
    """The settings the nightly run classifies `kind` accounts with: the supervisors' rule set."""
    from arrears.services.rulesets import rule_set_for, rule_settings_for

    return rule_settings_for(rule_set_for(kind))


def parse_now(text: str | None) -> datetime.datetime:
    """--now as an aware instant: a date is local midnight, a naive datetime local time; none is now."""
    if text is None:
        return timezone.now()
    try:
        moment = parse_moment(text.strip())
    except ValueError:
        raise CommandError(
            f'--now: expected an ISO date ("2026-11-21") or date and time ("2026-11-21T09:30:00"), got "{text}".',
            returncode=BAD_INPUT,
        ) from None
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time.min)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=rules.local_zone())


class Command(BaseCommand):
    help = (
        "Classify accounts described in a JSON file of facts with the arrears rules and print each one's "
        "classification (and with --explain, why each rule did or did not fire) as JSON. Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--facts", required=True, metavar="FILE.json", help="The facts: a JSON array of objects, or - for stdin."
        )
        parser.add_argument(
            "--now",
            metavar="ISO_DATETIME",
            help="Classify as at this date or date and time (local time unless it has an offset). Default: now.",
        )
        parser.add_argument(
            "--kind",
            choices=["rent", "service_charge"],
            default="rent",
            help="Whose rule set to classify with (default: rent).",
        )
        parser.add_argument(
            "--explain", action="store_true", help="Show every rule's verdict up to the one that fired."
        )

    def handle(self, *args, facts: str, now: str | None, kind: str, explain: bool, **options):
        moment = parse_now(now)
        try:
            text = sys.stdin.read() if facts == "-" else Path(facts).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"There is no file at {facts}.", returncode=BAD_INPUT) from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{facts} cannot be read: {error}.", returncode=BAD_INPUT) from None
        try:
            records = load_records(text)
        except FactsError as error:
            raise CommandError(f"{error}.", returncode=BAD_INPUT) from None
        settings = rule_settings_for_command(kind)
        results = []
        for record_id, record in records:
            outcome = rules.classify(record, now=moment, settings=settings, explain=explain)
            results.append(
                {
                    "id": record_id,
                    "classification": outcome.classification.value,
                    "rule": outcome.rule,
                    "explanation": [
                        {"rule": step.rule, "fired": step.fired, "reason": step.reason} for step in outcome.explanation
                    ],
                }
            )
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
