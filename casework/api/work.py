"""The staff API for the work on cases: tasks, notes with @mentions, the case feed, log review
and each user's notifications. Thin: selectors load what the user may see, one service call per
write, serializers render. Staff only (the default permission): applicants get 403."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api import work_serializers as s
from casework.models import REVIEW_MAX_LENGTH, REVIEW_TEMPLATE, CaseActivity, Notification, Task
from casework.selectors import work as selectors
from casework.selectors.cases import case_get
from casework.services import notes as note_services
from casework.services import notifications_read
from casework.services import reviews as review_services
from casework.services import tasks as task_services
from core import errors


def _fake(view) -> bool:
    """True while drf-spectacular builds the schema (no request user, no URL arguments)."""
    return getattr(view, "swagger_fake_view", False)


def _parse(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _page(view: GenericAPIView, queryset, serializer_class) -> Response:
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer_class(page, many=True).data)


def _task_params(view) -> dict:
    return _parse(s.TaskListParamsSerializer, view.request.query_params)


# --- tasks -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List tasks",
        description="Soonest due first. `mine` includes tasks for the teams you are in.",
        parameters=[s.TaskListParamsSerializer],
    ),
    retrieve=extend_schema(summary="Get a task"),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TaskSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return Task.objects.none()
        return selectors.task_list_for(user=self.request.user, **_task_params(self))

    def get_object(self) -> Task:
        return selectors.task_get(user=self.request.user, task_id=int(self.kwargs["pk"]))

    @extend_schema(summary="Create a task", request=s.TaskCreateWithCaseSerializer, responses={201: s.TaskSerializer})
    def create(self, request):
        data = _parse(s.TaskCreateWithCaseSerializer, request.data)
        case_id = data.pop("case")
        case = None
        if case_id is not None:
            try:
                case = case_get(user=request.user, case_id=case_id)
            except errors.NotFound as error:
                raise errors.ValidationError(fields={"case": [error.message]}) from error
        task = task_services.task_create(actor=request.user, case=case, **data)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a task", request=s.TaskUpdateSerializer, responses=s.TaskSerializer)
    def partial_update(self, request, pk=None):
        task = self.get_object()
        changes = _parse(s.TaskUpdateSerializer, request.data, partial=True)
        task = task_services.task_update(actor=request.user, task=task, **changes)
        return Response(s.TaskSerializer(task).data)

    @extend_schema(summary="Start a task", request=None, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        task = task_services.task_start(actor=request.user, task=self.get_object())
        return Response(s.TaskSerializer(task).data)

    @extend_schema(summary="Complete a task", request=s.TaskCompleteSerializer, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = _parse(s.TaskCompleteSerializer, request.data)
        task = task_services.task_complete(actor=request.user, task=self.get_object(), **data)
        return Response(s.TaskSerializer(task).data)

    @extend_schema(summary="Cancel a task", request=s.TaskCancelSerializer, responses=s.TaskSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _parse(s.TaskCancelSerializer, request.data)
        task = task_services.task_cancel(actor=request.user, task=self.get_object(), **data)
        return Response(s.TaskSerializer(task).data)


class CaseTaskListView(GenericAPIView):
    serializer_class = s.TaskSerializer

    @extend_schema(summary="List a case's tasks", parameters=[s.TaskListParamsSerializer])
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        params = {**_task_params(self), "case": case}
        return _page(self, selectors.task_list_for(user=request.user, **params), s.TaskSerializer)

    @extend_schema(summary="Add a task to a case", request=s.TaskCreateSerializer, responses={201: s.TaskSerializer})
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _parse(s.TaskCreateSerializer, request.data)
        task = task_services.task_create(actor=request.user, case=case, **data)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)


# --- notes and the feed ----------------------------------------------------------------------


class CaseNoteListView(GenericAPIView):
    serializer_class = s.NoteSerializer

    @extend_schema(summary="List a case's notes", description="Newest first.")
    def get(self, request, case_id: int):
        return _page(self, selectors.note_list_for(user=request.user, case=case_id), s.NoteSerializer)

    @extend_schema(
        summary="Add a note to a case",
        description="Each @handle naming one active staff member is recorded and notified (in-app and by email). "
        "Other handles stay as text; the response lists which were resolved and why others were not.",
        request=s.NoteCreateSerializer,
        responses={201: s.NoteCreatedSerializer},
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _parse(s.NoteCreateSerializer, request.data)
        note = note_services.note_add(actor=request.user, case=case, **data)
        return Response(s.NoteCreatedSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="A case's feed", description="The case's timeline, newest first.")
class CaseFeedView(ListAPIView):
    serializer_class = s.CaseActivitySerializer

    def get_queryset(self):
        if _fake(self):
            return CaseActivity.objects.none()
        return selectors.case_feed(user=self.request.user, case=self.kwargs["case_id"])


# --- log review ------------------------------------------------------------------------------


def _review_state(case) -> dict:
    return {
        "template": REVIEW_TEMPLATE,
        "max_length": REVIEW_MAX_LENGTH,
        "last_review": case if case.last_reviewed_at else None,
    }


class CaseReviewView(GenericAPIView):
    serializer_class = s.CaseReviewSerializer

    @extend_schema(summary="The log-review form: template, limit and latest review")
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        return Response(s.CaseReviewSerializer(_review_state(case)).data)

    @extend_schema(
        summary="Log a review of a case",
        description=f"The comment may be at most {REVIEW_MAX_LENGTH} characters. Creates a completed "
        "“Case Review” task and replaces the case's latest review.",
        request=s.CaseReviewCreateSerializer,
        responses={201: s.CaseReviewLoggedSerializer},
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = _parse(s.CaseReviewCreateSerializer, request.data)
        task = review_services.case_review_log(actor=request.user, case=case, **data)
        body = s.CaseReviewLoggedSerializer({"task": task, "last_review": task.case}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- notifications ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="My notifications",
        description="Unread first, then newest.",
        parameters=[s.NotificationListParamsSerializer],
    )
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return Notification.objects.none()
        params = _parse(s.NotificationListParamsSerializer, self.request.query_params)
        return selectors.notification_list_for(user=self.request.user, **params)

    @extend_schema(summary="Mark a notification read", request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notifications_read.notification_mark_read(actor=request.user, notification_id=int(pk))
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(summary="Mark all my notifications read", request=None, responses=s.NotificationsMarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = notifications_read.notification_mark_all_read(actor=request.user)
        return Response(s.NotificationsMarkedSerializer({"marked_read": count}).data)


router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    *router.urls,
    path("cases/<int:case_id>/tasks/", CaseTaskListView.as_view(), name="case-task-list"),
    path("cases/<int:case_id>/notes/", CaseNoteListView.as_view(), name="case-note-list"),
    path("cases/<int:case_id>/feed/", CaseFeedView.as_view(), name="case-feed"),
    path("cases/<int:case_id>/review/", CaseReviewView.as_view(), name="case-review"),
]
