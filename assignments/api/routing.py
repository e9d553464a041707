"""Staff API for routing: my presence, my offers and answering them, a case's routing state;
supervisors change someone's presence and assign cases by hand; owners and supervisors release
a case to routing. Each view loads through assignments.routing_selectors and calls one service
(assignments.services), which holds the rules; refusals come back as 400/403/404/409 in the
project's error shape."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from assignments import routing_selectors as selectors
from assignments import services
from assignments.api import routing_serializers as s
from assignments.models import Offer
from assignments.permissions import can_manage_routing
from casework.api.views import validated
from casework.selectors.cases import case_get
from core.api.permissions import IsStaffMember

_REFUSED = OpenApiResponse(description='Refused: {"error": {"code", "message", "fields"}} says why.')


def _refusals(*codes: int) -> dict[int, OpenApiResponse]:
    return dict.fromkeys(codes, _REFUSED)


class IsRoutingSupervisor(IsStaffMember):
    """Supervisors (and administrators): changing someone else's presence, assigning by hand.
    Checked before the request body, so a caseworker learns they may not before what to fix."""

    message = "Only supervisors can do this: change someone else's presence or assign cases by hand."

    def has_permission(self, request, view) -> bool:
        return can_manage_routing(request.user)


def _presence(request, staff_id: int) -> Response:
    return Response(s.PresenceSerializer(selectors.routing_profile_get(user=request.user, staff_id=staff_id)).data)


def _case_routing(request, case_id: int) -> Response:
    return Response(s.CaseRoutingSerializer(selectors.case_routing_get(user=request.user, case_id=case_id)).data)


def _offer(request, offer_id: int) -> Response:
    return Response(s.OfferSerializer(selectors.offer_get_for(user=request.user, offer_id=offer_id)).data)


# --- presence ----------------------------------------------------------------------------------------


class MyPresenceView(APIView):
    @extend_schema(
        summary="My presence, load and capacity",
        description="404 when a supervisor has not set up your routing profile yet.",
        responses={200: s.PresenceSerializer, **_refusals(403, 404)},
    )
    def get(self, request):
        return _presence(request, request.user.pk)

    @extend_schema(
        summary="Set my presence",
        description=(
            "available: offers come to you; busy: you keep your work and offers but get no new ones; offline: "
            "your pending offers go to others, the cases you accepted stay yours."
        ),
        request=s.PresenceSetSerializer,
        responses={200: s.PresenceSerializer, **_refusals(400, 403)},
    )
    def put(self, request):
        given = validated(s.PresenceSetSerializer, request)
        services.presence_set(actor=request.user, user=request.user, presence=given["presence"])
        return _presence(request, request.user.pk)


class StaffPresenceView(APIView):
    permission_classes = [IsRoutingSupervisor]

    @extend_schema(
        summary="Set someone's presence (supervisors)",
        description="E.g. someone who left without signing out: offline withdraws their pending offers.",
        parameters=[OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="The member of staff.")],
        request=s.PresenceSetSerializer,
        responses={200: s.PresenceSerializer, **_refusals(400, 403, 404)},
    )
    def put(self, request, user_id: int):
        staff = selectors.staff_get(user=request.user, staff_id=user_id)
        given = validated(s.PresenceSetSerializer, request)
        services.presence_set(actor=request.user, user=staff, presence=given["presence"])
        return _presence(request, staff.pk)


# --- offers -------------------------------------------------------------------------------------------


@extend_schema(
    summary="My pending offers",
    description="Offers waiting for your answer, the soonest to expire first. Expired offers are not listed.",
    responses={200: s.OfferSerializer(many=True), **_refusals(403)},
)
class MyOfferListView(generics.ListAPIView):
    serializer_class = s.OfferSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        return selectors.offer_list_for(user=self.request.user)


class OfferAcceptView(APIView):
    @extend_schema(
        summary="Accept an offer",
        description=(
            "You become the case's owner. 404 for an offer that is not yours; 409 for one already answered, "
            "withdrawn, timed out or expired."
        ),
        parameters=[OpenApiParameter("offer_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={200: s.OfferSerializer, **_refusals(403, 404, 409)},
    )
    def post(self, request, offer_id: int):
        offer = selectors.offer_get_for(user=request.user, offer_id=offer_id)
        services.offer_accept(actor=request.user, offer=offer)
        return _offer(request, offer.pk)


class OfferDeclineView(APIView):
    @extend_schema(
        summary="Decline an offer",
        description=(
            "The case goes to the next eligible person and is not offered to you again until everyone who can "
            "take it has declined it or let it lapse. Optionally give a reason (from the configured list) and a "
            "note. 404 for an offer that is not yours; 409 for one no longer open."
        ),
        parameters=[OpenApiParameter("offer_id", int, OpenApiParameter.PATH)],
        request=s.DeclineSerializer,
        responses={200: s.OfferSerializer, **_refusals(400, 403, 404, 409)},
    )
    def post(self, request, offer_id: int):
        offer = selectors.offer_get_for(user=request.user, offer_id=offer_id)
        given = validated(s.DeclineSerializer, request)
        services.offer_decline(actor=request.user, offer=offer, reason=given.get("reason"), note=given["note"])
        return _offer(request, offer.pk)


# --- cases ---------------------------------------------------------------------------------------------

_CASE_ID = OpenApiParameter("case_id", int, OpenApiParameter.PATH)


class CaseRoutingView(APIView):
    @extend_schema(
        summary="A case's routing state",
        description=(
            "State (not routed, awaiting assignment, offered, accepted, manually assigned), the chevron, the "
            "skills it needs, since when it has waited, its potential owner and its assignee."
        ),
        parameters=[_CASE_ID],
        responses={200: s.CaseRoutingSerializer, **_refusals(403, 404)},
    )
    def get(self, request, case_id: int):
        return _case_routing(request, case_id)


class CaseAssignView(APIView):
    permission_classes = [IsRoutingSupervisor]

    @extend_schema(
        summary="Assign a case by hand (supervisors)",
        description=(
            "The case leaves dynamic routing (and nobody's load) until its chevron changes, it is released or "
            "reassigned; the person going offline does not undo it. A pending offer is withdrawn."
        ),
        parameters=[_CASE_ID],
        request=s.AssignSerializer,
        responses={200: s.CaseRoutingSerializer, **_refusals(400, 403, 404, 409)},
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        given = validated(s.AssignSerializer, request)
        services.case_assign(actor=request.user, case=case, user=given["user"], reason=given["reason"])
        return _case_routing(request, case_id)


class CaseReleaseView(APIView):
    @extend_schema(
        summary="Release a case to routing (its owner or a supervisor)",
        description="Nobody owns the case any more; it awaits assignment and is offered again.",
        parameters=[_CASE_ID],
        request=s.ReleaseSerializer,
        responses={200: s.CaseRoutingSerializer, **_refusals(400, 403, 404, 409)},
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        given = validated(s.ReleaseSerializer, request)
        services.case_release(actor=request.user, case=case, reason=given["reason"])
        return _case_routing(request, case_id)


urlpatterns = [
    path("routing/me/presence/", MyPresenceView.as_view(), name="routing-my-presence"),
    path("routing/staff/<int:user_id>/presence/", StaffPresenceView.as_view(), name="routing-staff-presence"),
    path("routing/me/offers/", MyOfferListView.as_view(), name="routing-my-offers"),
    path("routing/offers/<int:offer_id>/accept/", OfferAcceptView.as_view(), name="routing-offer-accept"),
    path("routing/offers/<int:offer_id>/decline/", OfferDeclineView.as_view(), name="routing-offer-decline"),
    path("routing/cases/<int:case_id>/", CaseRoutingView.as_view(), name="routing-case"),
    path("routing/cases/<int:case_id>/assign/", CaseAssignView.as_view(), name="routing-case-assign"),
    path("routing/cases/<int:case_id>/release/", CaseReleaseView.as_view(), name="routing-case-release"),
]
