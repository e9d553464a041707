#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from config.env import SettingError

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load settings now, so a bad environment is one sentence
    except SettingError as error:
        sys.exit(f"Configuration error: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
