"""The Celery app (production settings unless DJANGO_SETTINGS_MODULE says otherwise; `make run`
sets it to local). Its configuration is the CELERY_* Django settings; the beat schedule lives in
config/beat_schedule.py. Jobs live in each app's tasks.py and are thin wrappers over services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("housing", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
