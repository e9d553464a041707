"""Case numbers under concurrent creation: 10,000 cases opened at once from 4 processes, each
through the real case_create service in its own transaction. No number may be issued twice or
reused, and the throughput is reported (cases/s)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from casework.models import Case
from tests.casework.factories import CaseTypeFactory, ContactFactory

PROCESSES = 4
PER_PROCESS = 2_500
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_ten_thousand_cases_from_four_processes(benchmark):
    case_type = CaseTypeFactory(workflow="support")
    contact = ContactFactory()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    command = [
        sys.executable,
        "-m",
        "bench.case_numbering_worker",
        str(case_type.pk),
        str(contact.pk),
        str(PER_PROCESS),
    ]

    def run() -> list[float]:
        workers = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)
        ]
        outputs = [worker.communicate(timeout=900)[0] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers)
        return [float(output.strip().splitlines()[-1]) for output in outputs]

    loop_seconds = benchmark.pedantic(run, rounds=1, iterations=1)

    numbers = list(Case.objects.values_list("number", flat=True))
    serials = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert len(numbers) == PROCESSES * PER_PROCESS
    assert len(set(numbers)) == len(numbers), "a case number was issued twice"
    assert len(set(serials)) == len(serials), "a serial was reused"
    rate = len(numbers) / max(loop_seconds)
    benchmark.extra_info["cases_per_second"] = round(rate, 1)
    benchmark.extra_info["gaps"] = serials[-1] - serials[0] + 1 - len(serials)
    print(f"\n{len(numbers)} cases from {PROCESSES} processes: {rate:.0f} cases/s; serials {serials[0]}..{serials[-1]}")
