"""The demo-data mechanism behind `manage.py seed_demo`: each installed app may have a `demo`
module with `seed(ctx)`; they run in INSTALLED_APPS order, so an app can build on the demo
objects of the apps it depends on. Every seed function must be idempotent."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps


@dataclass
class DemoContext:
    password: str
    rng: random.Random = field(default_factory=lambda: random.Random(20261121))
    logins: list[tuple[str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def login(self, role: str, email: str) -> None:
        self.logins.append((role, email))

    def created(self, what: str, n: int = 1) -> None:
        self.counts[what] += n


def demo_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        try:
            yield import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
