"""Appointments on a case. Staff book, change, cancel, complete and mark them missed; the case's
applicant may read them (without staff-only details such as notes)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from casework.api.case_children import CaseChildrenView
from casework.models import Appointment, Task
from casework.selectors.appointments import appointment_get, appointment_list_for
from casework.services import appointments as appointment_services
from core.models import User
from core.permissions import is_staff_member


class StaffOrReadOnlyForApplicants(BasePermission):
    """Anyone signed in may read (the selectors decide which cases); only staff may write."""

    message = "Only staff can arrange or change appointments."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_staff_member(user)


def _person_name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.email


class AppointmentSerializer(serializers.ModelSerializer):
    with_user_name = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "case",
            "task",
            "starts_at",
            "ends_at",
            "mode",
            "location",
            "with_user",
            "with_user_name",
            "with_name",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_with_user_name(self, appointment: Appointment) -> str | None:
        return _person_name(appointment.with_user)


class ApplicantAppointmentSerializer(serializers.ModelSerializer):
    """What an applicant sees of an appointment on their case: when, how, where, with whom."""

    with_whom = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "case", "starts_at", "ends_at", "mode", "location", "with_whom", "status"]
        read_only_fields = fields

    def get_with_whom(self, appointment: Appointment) -> str:
        if appointment.with_user is not None:
            return appointment.with_user.get_full_name() or "A member of our staff"
        return appointment.with_name


class AppointmentInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    mode = serializers.ChoiceField(choices=Appointment.Mode.choices)
    location = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="The address, or the number to call."
    )
    with_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text="A member of staff."
    )
    with_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True)


class AppointmentCreateSerializer(AppointmentInputSerializer):
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True, help_text="A task on this case, if it is for one."
    )


class AppointmentEndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why it was cancelled or missed, or what came of it."
    )


def _serialize(request, appointments, *, many: bool = False):
    serializer_class = AppointmentSerializer if is_staff_member(request.user) else ApplicantAppointmentSerializer
    return serializer_class(appointments, many=many).data


@extend_schema_view(
    get=extend_schema(
        summary="List a case's appointments",
        description="Staff get every field; the case's applicant gets when, how, where, with whom and status.",
        responses=AppointmentSerializer(many=True),
    ),
    post=extend_schema(
        summary="Book an appointment on a case",
        request=AppointmentCreateSerializer,
        responses={201: AppointmentSerializer},
    ),
)
class CaseAppointmentsView(CaseChildrenView):
    """A case's appointments (and its tasks'), soonest first; book one."""

    permission_classes = [StaffOrReadOnlyForApplicants]
    serializer_class = AppointmentSerializer
    input_serializer_class = AppointmentCreateSerializer

    def list_for(self, request, case_id: int):
        return appointment_list_for(user=request.user, case_id=case_id)

    def create(self, request, case, **validated):
        return appointment_services.appointment_create(actor=request.user, case=case, **validated)

    def serialize(self, request, rows, *, many: bool = False):
        return _serialize(request, rows, many=many)


class AppointmentDetailView(GenericAPIView):
    permission_classes = [StaffOrReadOnlyForApplicants]
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        return Appointment.objects.none()

    @extend_schema(summary="Get an appointment", responses=AppointmentSerializer)
    def get(self, request, appointment_id: int):
        return Response(_serialize(request, appointment_get(user=request.user, appointment_id=appointment_id)))

    @extend_schema(
        summary="Change a scheduled appointment",
        request=AppointmentInputSerializer(partial=True),
        responses=AppointmentSerializer,
    )
    def patch(self, request, appointment_id: int):
        appointment = appointment_get(user=request.user, appointment_id=appointment_id)
        data = AppointmentInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        appointment = appointment_services.appointment_update(
            actor=request.user, appointment=appointment, **data.validated_data
        )
        return Response(AppointmentSerializer(appointment).data)


class _AppointmentEndView(GenericAPIView):
    """Cancel, complete or mark missed: the same request, a different service."""

    permission_classes = [StaffOrReadOnlyForApplicants]
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        return Appointment.objects.none()

    def end(self, request, appointment_id: int, service, reason_field: str = "reason"):
        appointment = appointment_get(user=request.user, appointment_id=appointment_id)
        data = AppointmentEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("reason", "")
        appointment = service(actor=request.user, appointment=appointment, **{reason_field: reason})
        return Response(AppointmentSerializer(appointment).data)


class AppointmentCancelView(_AppointmentEndView):
    @extend_schema(summary="Cancel a scheduled appointment", request=AppointmentEndSerializer)
    def post(self, request, appointment_id: int):
        return self.end(request, appointment_id, appointment_services.appointment_cancel)


class AppointmentCompleteView(_AppointmentEndView):
    @extend_schema(summary="Record that an appointment took place", request=AppointmentEndSerializer)
    def post(self, request, appointment_id: int):
        return self.end(request, appointment_id, appointment_services.appointment_complete, "outcome")


class AppointmentMissedView(_AppointmentEndView):
    @extend_schema(summary="Record that an appointment was missed", request=AppointmentEndSerializer)
    def post(self, request, appointment_id: int):
        return self.end(request, appointment_id, appointment_services.appointment_mark_missed)


urlpatterns = [
    path("cases/<int:case_id>/appointments/", CaseAppointmentsView.as_view(), name="case-appointments"),
    path("appointments/<int:appointment_id>/", AppointmentDetailView.as_view(), name="appointment-detail"),
    path("appointments/<int:appointment_id>/cancel/", AppointmentCancelView.as_view(), name="appointment-cancel"),
    path("appointments/<int:appointment_id>/complete/", AppointmentCompleteView.as_view(), name="appointment-complete"),
    path("appointments/<int:appointment_id>/missed/", AppointmentMissedView.as_view(), name="appointment-missed"),
]
