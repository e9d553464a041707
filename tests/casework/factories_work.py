"""Factories for the work on cases: tasks in any status, notes and notifications. They save
through the models, not the services: use them to arrange a test and call the services in the
part under test."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from casework.models import Note, Notification, Task
from tests.casework.factories import CaseFactory


class TaskFactory(DjangoModelFactory):
    """An open to-do on a new case; `status=` puts it in any status (finished ones get a
    completion time, as the model's constraint requires), `case=None` for one on its own."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    subject = factory.Sequence(lambda n: f"Call the tenant back ({n})")
    kind = Task.Kind.TODO

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status", None)
        task = model_class(*args, **kwargs)
        task.save()
        if status:
            finished = status in (Task.Status.COMPLETED, Task.Status.CANCELLED)
            model_class.objects.filter(pk=task.pk).update(
                status=status, completed_at=timezone.now() if finished else None
            )
            task = model_class.objects.get(pk=task.pk)
        return task


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    case = factory.SubFactory(CaseFactory)
    body = factory.Sequence(lambda n: f"Spoke to the tenant ({n}).")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Notification.Kind.CASE_UPDATE
    message = factory.Sequence(lambda n: f"Something happened ({n}).")
