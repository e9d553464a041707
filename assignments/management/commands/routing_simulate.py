"""manage.py routing_simulate SCENARIO.json: play a routing scenario through the real engine on
a simulated clock and print what happened as JSON. Nothing is kept: the run is rolled back.
The format is described in assignments.simulator. A scenario that cannot be played exits with
status 2 and one sentence naming the problem."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assignments import simulator

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Play a routing scenario (staff, cases, events on a simulated clock) through the routing engine and "
        "print the offers, accepts, timeouts and final state as JSON. Nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="The scenario JSON file, or - to read it from standard input.")

    def handle(self, *args, scenario: str, **options):
        try:
            text = sys.stdin.read() if scenario == "-" else Path(scenario).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"There is no file at {scenario}.", returncode=BAD_INPUT) from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{scenario} cannot be read: {error}.", returncode=BAD_INPUT) from None
        try:
            parsed = simulator.parse(text)
        except simulator.ScenarioError as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from None
        self.stdout.write(simulator.render(simulator.run(parsed)))
