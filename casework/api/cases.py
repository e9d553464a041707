"""The case API: staff open, read, edit and move cases; applicants read their own, start and
submit applications, withdraw and appeal. Each action calls one service (casework.services.cases),
which holds the rules; refusals come back as 400/403/409 with the service's sentence."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from casework.api import case_serializers as s
from casework.models import Case, CaseType, Contact, Workflow
from casework.selectors.cases import case_get, case_list_for, existing_open_cases
from casework.services import cases as services
from core import errors
from core.api.permissions import IsSignedIn
from core.permissions import is_staff_member


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices, help_text="Repeat for several.")
    workflow = django_filters.ChoiceFilter(choices=Workflow.choices)
    case_type = django_filters.CharFilter(field_name="case_type__code", help_text="Case type code.")
    priority = django_filters.ChoiceFilter(choices=Case.Priority.choices)
    owner = django_filters.CharFilter(method="filter_owner", help_text="A user id, or `me`.")
    queue = django_filters.NumberFilter(field_name="owner_queue_id", help_text="Queue id.")
    contact = django_filters.NumberFilter(field_name="contact_id")
    open = django_filters.BooleanFilter(method="filter_open", help_text="true: not closed; false: closed.")
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains")

    class Meta:
        model = Case
        fields = ["status", "workflow", "case_type", "priority", "owner", "queue", "contact", "open", "number"]

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        return queryset.filter(owner_id=value) if value.isdigit() else queryset.none()

    def filter_open(self, queryset, name, value):
        closed = Q(status=Case.Status.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)


# Actions an applicant may call on their own case; everything else on this viewset is staff-only.
APPLICANT_ACTIONS = {"list", "retrieve", "submit", "withdraw", "appeal", "start_application"}


def _done(request, case: Case, code: int = status.HTTP_200_OK) -> Response:
    case = case_get(user=request.user, case_id=case.pk)
    return Response(s.CaseSerializer(case, context={"request": request}).data, status=code)


@extend_schema_view(
    list=extend_schema(summary="List cases", description="Staff see every case; applicants their own."),
    retrieve=extend_schema(summary="Get a case"),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [IsSignedIn]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action not in APPLICANT_ACTIONS and not is_staff_member(request.user):
            raise PermissionDenied("This is for staff accounts only.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return case_list_for(user=self.request.user).order_by("-created_at")

    def get_object(self) -> Case:
        return case_get(user=self.request.user, case_id=int(self.kwargs["pk"]))

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(summary="Open a case (staff)", request=s.CaseCreateSerializer, responses={201: s.CaseSerializer})
    def create(self, request):
        case = services.case_create(actor=request.user, **self._input(s.CaseCreateSerializer))
        return _done(request, case, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a case's details (staff)", request=s.CaseUpdateSerializer, responses=s.CaseSerializer
    )
    def partial_update(self, request, pk=None):
        data = self._input(s.CaseUpdateSerializer)
        confirm = data.pop("confirm_inactive_tenancy", False)
        case = services.case_update(
            actor=request.user, case=self.get_object(), confirm_inactive_tenancy=confirm, **data
        )
        return _done(request, case)

    @extend_schema(
        summary='Open cases of a type for a contact ("does a case already exist?")',
        parameters=[
            OpenApiParameter("contact", int, required=True),
            OpenApiParameter("case_type", int, required=True),
        ],
        responses=s.ExistingCaseSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def existing(self, request):
        contact = Contact.objects.filter(pk=_int(request.query_params.get("contact"))).first()
        case_type = CaseType.objects.filter(pk=_int(request.query_params.get("case_type"))).first()
        if contact is None or case_type is None:
            raise errors.ValidationError(
                fields={
                    name: ["Give a valid id."]
                    for name, found in (("contact", contact), ("case_type", case_type))
                    if found is None
                }
            )
        cases = existing_open_cases(contact=contact, case_type=case_type)
        return Response(s.ExistingCaseSerializer(cases, many=True).data)

    @extend_schema(
        summary="Start an application (applicants)",
        request=s.ApplicationStartSerializer,
        responses={201: s.CaseSerializer},
    )
    @action(detail=False, methods=["post"], url_path="applications")
    def start_application(self, request):
        case = services.application_start(actor=request.user, **self._input(s.ApplicationStartSerializer))
        return _done(request, case, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a case along its chevrons (staff)", request=s.TransitionSerializer, responses=s.CaseSerializer
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        data = self._input(s.TransitionSerializer)
        case = services.case_transition(actor=request.user, case=self.get_object(), **data)
        return _done(request, case)

    @extend_schema(
        summary="Sign and submit an application (its applicant)", request=s.SubmitSerializer, responses=s.CaseSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        case = services.case_submit(actor=request.user, case=self.get_object(), **self._input(s.SubmitSerializer))
        return _done(request, case)

    @extend_schema(
        summary="Match with a landlord application (staff)", request=s.MatchSerializer, responses=s.CaseSerializer
    )
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        landlord = self._input(s.MatchSerializer)["landlord_case"]
        tenant, _ = services.case_match(actor=request.user, tenant_case=self.get_object(), landlord_case=landlord)
        return _done(request, tenant)

    @extend_schema(
        summary="Send back to draft for the applicant's action (staff)",
        request=s.ReasonSerializer,
        responses=s.CaseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        case = services.case_send_back_to_draft(
            actor=request.user, case=self.get_object(), **self._input(s.ReasonSerializer)
        )
        return _done(request, case)

    @extend_schema(summary="Withdraw an application", request=s.OptionalReasonSerializer, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = self._input(s.OptionalReasonSerializer)
        case = services.case_withdraw(actor=request.user, case=self.get_object(), reason=data.get("reason", ""))
        return _done(request, case)

    @extend_schema(summary="Appeal a denial (once)", request=s.AppealSerializer, responses={201: s.CaseSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        appeal = services.case_appeal(actor=request.user, case=self.get_object(), **self._input(s.AppealSerializer))
        return _done(request, appeal, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record an appeal's decision (staff)", request=s.AppealDecisionSerializer, responses=s.CaseSerializer
    )
    @action(detail=True, methods=["post"], url_path="appeal-decision")
    def appeal_decision(self, request, pk=None):
        data = self._input(s.AppealDecisionSerializer)
        appeal = services.appeal_decide(actor=request.user, appeal=self.get_object(), **data)
        return _done(request, appeal)

    @extend_schema(summary="Reopen a closed case (supervisors)", request=s.ReasonSerializer, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        case = services.case_reopen(actor=request.user, case=self.get_object(), **self._input(s.ReasonSerializer))
        return _done(request, case)

    @extend_schema(
        summary="Set or clear the suspected-fraud flag (staff)",
        request=s.FraudFlagSerializer,
        responses=s.CaseSerializer,
    )
    @action(detail=True, methods=["post"], url_path="fraud-flag")
    def fraud_flag(self, request, pk=None):
        case = services.case_flag_fraud(
            actor=request.user, case=self.get_object(), **self._input(s.FraudFlagSerializer)
        )
        return _done(request, case)

    @extend_schema(
        summary="Give the case to a person or a queue (staff)", request=s.OwnerSerializer, responses=s.CaseSerializer
    )
    @action(detail=True, methods=["post"])
    def owner(self, request, pk=None):
        data = self._input(s.OwnerSerializer)
        case = services.case_owner_set(
            actor=request.user,
            case=self.get_object(),
            owner=data.get("owner"),
            queue=data.get("queue"),
            reason=data.get("reason", ""),
        )
        return _done(request, case)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None
