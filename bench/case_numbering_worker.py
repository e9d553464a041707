"""One of the processes of bench/test_case_numbering.py: opens `count` cases through the real
service, as fast as it can, and prints how long the loop took. Run as
`python -m bench.case_numbering_worker <case_type_id> <contact_id> <count>` with DATABASE_URL
pointing at the benchmark's database."""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from casework.models import CaseType, Contact  # noqa: E402
from casework.services.cases import case_create  # noqa: E402


def main(case_type_id: int, contact_id: int, count: int) -> None:
    case_type = CaseType.objects.get(pk=case_type_id)
    contact = Contact.objects.get(pk=contact_id)
    started = time.perf_counter()
    for _ in range(count):
        case_create(actor=None, case_type=case_type, contact=contact, acknowledge_existing=True)
    print(f"{time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
