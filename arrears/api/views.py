"""The arrears staff API: accounts (the worktray's rows, filtered and ordered), an account's
explanation, transactions, action diary, arrangements, NOSPs, court cases and evictions, what
caseworkers do on an account, and the reference data. Staff only (the API's default permission).
Thin: selectors (arrears.api.selectors) read, each write calls one service (arrears.services),
which holds the rules; refusals come back as 400/403/404/409 in the project's error shape."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from arrears.api import selectors
from arrears.api import serializers as s
from arrears.api.filters import AccountFilter, TransactionFilter
from arrears.labels import action_label
from arrears.models import (
    ActionCode,
    ActionDiaryEntry,
    Arrangement,
    CourtCase,
    CourtOutcome,
    Eviction,
    Nosp,
    PauseReason,
    RentAccount,
    Transaction,
    TransactionType,
)
from arrears.services import automation, legal
from arrears.services import diary as diary_services
from arrears.services.classification import account_explain, account_reclassify

_REFUSED = OpenApiResponse(s.ArrearsErrorSerializer, description="Refused: the error says why.")


def _refusals(*codes: int) -> dict[int, OpenApiResponse]:
    return dict.fromkeys(codes, _REFUSED)


# Every account endpoint can say: not signed in / not staff (403), no such account (404).
_READ_REFUSALS = _refusals(403, 404)


def _fake(view) -> bool:
    """True while drf-spectacular builds the schema (no request user, no URL arguments)."""
    return getattr(view, "swagger_fake_view", False)


def _parse(serializer_class, request) -> dict:
    """The request body checked by `serializer_class`; a 400 with per-field messages otherwise."""
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def _account_detail(request, account_id: int, code: int = status.HTTP_200_OK) -> Response:
    account = selectors.account_detail_get(user=request.user, account_id=account_id)
    return Response(s.AccountDetailSerializer(account, context={"request": request}).data, status=code)


def _written(request, record, serializer_class, code: int = status.HTTP_201_CREATED) -> Response:
    """A record a service wrote, with its account as it stands after (re-classified)."""
    record.account = selectors.account_get(user=request.user, account_id=record.account_id)
    return Response(serializer_class(record, context={"request": request}).data, status=code)


# --- accounts --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List arrears accounts",
        description="Rent and leasehold service-charge accounts as the worktray's rows show them. "
        "`recommended_action` is the classification as that kind of account's worktray calls it.",
        responses={200: s.AccountSerializer(many=True), **_refusals(400, 403)},
    ),
)
class AccountViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AccountSerializer
    filterset_class = AccountFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if _fake(self):
            return RentAccount.objects.none()
        return selectors.account_list_for(user=self.request.user)

    def get_object(self) -> RentAccount:
        return selectors.account_get(user=self.request.user, account_id=int(self.kwargs["pk"]))

    @extend_schema(
        summary="Get an arrears account",
        description="The row's fields, its charges and pause comment, the current (live or breached) "
        "arrangement, and the latest NOSP, court case and eviction.",
        responses={200: s.AccountDetailSerializer, **_READ_REFUSALS},
    )
    def retrieve(self, request, pk=None):
        return _account_detail(request, int(pk))

    @extend_schema(
        summary="Why the account is classified as it is",
        description="Every rule in order up to the one that fires, each with the condition that held it "
        "back, from the account's facts as they are now (nothing is written: the stored classification "
        "may lag until the account is re-classified).",
        responses={200: s.AccountExplanationSerializer, **_READ_REFUSALS},
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def explanation(self, request, pk=None):
        account = self.get_object()
        outcome = account_explain(account)
        body = {
            "account": account.pk,
            "classification": outcome.classification.value,
            "recommended_action": action_label(outcome.classification.value, account.kind),
            "rule": outcome.rule,
            "explanation": outcome.explanation,
        }
        return Response(s.AccountExplanationSerializer(body).data)

    @extend_schema(
        summary="Re-classify the account now",
        description="Derives the account's facts, checks its arrangement and classifies it, as the nightly "
        "run does (sending what automation is switched on for).",
        request=None,
        responses={200: s.AccountDetailSerializer, **_READ_REFUSALS},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def reclassify(self, request, pk=None):
        account_reclassify(self.get_object())
        return _account_detail(request, int(pk))

    @extend_schema(
        summary="Pause the account",
        description="Until a date after today (the account returns to the worktray on that date: "
        "“paused until today” is not paused), for a reason from GET /api/v1/arrears/pause-reasons/ "
        "(given by its id), with a comment. The reason's diary code is written; the account is "
        "re-classified.",
        request=s.PauseSerializer,
        responses={200: s.AccountDetailSerializer, **_refusals(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def pause(self, request, pk=None):
        data = _parse(s.PauseSerializer, request)
        diary_services.account_pause(actor=request.user, account=self.get_object(), **data)
        return _account_detail(request, int(pk))

    @extend_schema(
        summary="End the account's pause early",
        description="409 when the account is not paused.",
        request=s.UnpauseSerializer,
        responses={200: s.AccountDetailSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def unpause(self, request, pk=None):
        data = _parse(s.UnpauseSerializer, request)
        diary_services.account_unpause(actor=request.user, account=self.get_object(), **data)
        return _account_detail(request, int(pk))

    @extend_schema(
        summary="Mark the account's failed letter reviewed",
        description="The account leaves “review failed letter” and is re-classified. 409 when no failed "
        "letter is waiting for review.",
        request=None,
        responses={200: s.AccountDetailSerializer, **_refusals(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="failed-letter-review", filterset_class=None)
    def failed_letter_review(self, request, pk=None):
        diary_services.failed_letter_review(actor=request.user, account=self.get_object())
        return _account_detail(request, int(pk))

    @extend_schema(
        summary="Send the letter or text the classification recommends",
        description="Sends it now (whether or not automation is on) under the same exactly-once key as "
        "the automated send. `result` is `sent`, or `missing_data` when missing details paused the account "
        "for a week with a task instead. 409 when the recommended action has nothing to send, has changed "
        "(re-classify, or read the account again), or was sent already.",
        request=s.SendRecommendedSerializer,
        responses={200: s.SendResultSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="send-recommended", filterset_class=None)
    def send_recommended(self, request, pk=None):
        data = _parse(s.SendRecommendedSerializer, request)
        account = self.get_object()
        # What the caller was shown, if they say: the service refuses if the account's is now different.
        result = automation.recommended_send(actor=request.user, account=account, shown=data.get("classification"))
        fresh = selectors.account_get(user=request.user, account_id=account.pk)
        return Response(s.SendResultSerializer({"result": result, "account": fresh}).data)


class _AccountChildren(GenericAPIView):
    """Rows under one account (/accounts/{account_id}/...): paged, the newest first."""

    filterset_class = None
    model: type = RentAccount

    def get_account(self) -> RentAccount:
        if not hasattr(self, "_account"):
            self._account = selectors.account_get(user=self.request.user, account_id=int(self.kwargs["account_id"]))
        return self._account

    def rows(self, account: RentAccount):
        raise NotImplementedError

    def get_queryset(self):
        if _fake(self):
            return self.model.objects.none()
        return self.rows(self.get_account())

    def page(self, request, context: dict | None = None) -> Response:
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer_class()(rows, many=True, context={"request": request, **(context or {})})
        return self.get_paginated_response(serializer.data)


class AccountTransactionsView(_AccountChildren):
    serializer_class = s.TransactionSerializer
    filterset_class = TransactionFilter
    model = Transaction

    def rows(self, account):
        return selectors.transaction_list(account=account)

    @extend_schema(
        summary="An account's transactions",
        description="Newest first: charges positive, payments and credits negative.",
        responses={200: s.TransactionSerializer(many=True), **_refusals(400, 403, 404)},
    )
    def get(self, request, account_id: int):
        return self.page(request)


class AccountDiaryView(_AccountChildren):
    serializer_class = s.DiaryEntrySerializer
    model = ActionDiaryEntry

    def rows(self, account):
        return selectors.diary_list(account=account)

    @extend_schema(
        summary="An account's action diary",
        description="Newest first (by when it happened).",
        responses={200: s.DiaryEntrySerializer(many=True), **_READ_REFUSALS},
    )
    def get(self, request, account_id: int):
        return self.page(request)

    @extend_schema(
        summary="Add to an account's action diary",
        description="Under a code caseworkers may use (GET /api/v1/arrears/action-codes/?user_accessible=true), "
        "optionally backdated (not in the future). The account is re-classified at once: the response "
        "carries it as it stands after.",
        request=s.DiaryEntryCreateSerializer,
        responses={201: s.DiaryEntryCreatedSerializer, **_refusals(400, 403, 404)},
    )
    def post(self, request, account_id: int):
        data = _parse(s.DiaryEntryCreateSerializer, request)
        entry = diary_services.diary_add(actor=request.user, account=self.get_account(), **data)
        entry = selectors.diary_list(account=self.get_account()).get(pk=entry.pk)
        return _written(request, entry, s.DiaryEntryCreatedSerializer)


class AccountArrangementsView(_AccountChildren):
    serializer_class = s.ArrangementSerializer
    model = Arrangement

    def rows(self, account):
        return selectors.arrangement_list(account=account)

    @extend_schema(
        summary="An account's arrangements",
        description="The latest first; GET /api/v1/arrears/arrangements/{id}/ for one with its history.",
        responses={200: s.ArrangementSerializer(many=True), **_READ_REFUSALS},
    )
    def get(self, request, account_id: int):
        return self.page(request)

    @extend_schema(
        summary="Make a payment arrangement",
        description="An informal arrangement cancels the account's active informal ones, and is refused "
        "(409) while a court-ordered one is active; a formal (court-ordered) one needs this account's court "
        "case with its balance on the outcome date (the starting balance) and cancels every active "
        "arrangement. The account is re-classified.",
        request=s.ArrangementCreateSerializer,
        responses={201: s.ArrangementWrittenSerializer, **_refusals(400, 403, 404, 409)},
    )
    def post(self, request, account_id: int):
        data = _parse(s.ArrangementCreateSerializer, request)
        arrangement = legal.arrangement_create(actor=request.user, account=self.get_account(), **data)
        arrangement = selectors.arrangement_get(user=request.user, arrangement_id=arrangement.pk)
        return _written(request, arrangement, s.ArrangementWrittenSerializer)


class AccountNospsView(_AccountChildren):
    serializer_class = s.NospSerializer
    model = Nosp

    def rows(self, account):
        return selectors.nosp_list(account=account)

    @extend_schema(
        summary="An account's NOSPs",
        description="The latest first, each with its lifecycle under the account's rule settings: the end "
        "of its cooling-off period (`expires_on`) and how long it stays valid.",
        responses={200: s.NospSerializer(many=True), **_READ_REFUSALS},
    )
    def get(self, request, account_id: int):
        return self.page(request)

    @extend_schema(
        summary="Record a NOSP served",
        description="Served outside the system, on a date not in the future. The account is re-classified.",
        request=s.NospCreateSerializer,
        responses={201: s.NospRecordedSerializer, **_refusals(400, 403, 404)},
    )
    def post(self, request, account_id: int):
        data = _parse(s.NospCreateSerializer, request)
        nosp = legal.nosp_record(actor=request.user, account=self.get_account(), **data)
        return _written(request, nosp, s.NospRecordedSerializer)


class AccountCourtCasesView(_AccountChildren):
    serializer_class = s.CourtCaseSerializer
    model = CourtCase

    def rows(self, account):
        return selectors.court_case_list(account=account)

    @extend_schema(
        summary="An account's court cases",
        description="The latest first.",
        responses={200: s.CourtCaseSerializer(many=True), **_READ_REFUSALS},
    )
    def get(self, request, account_id: int):
        return self.page(request)

    @extend_schema(
        summary="Record a possession hearing",
        description="Its date and time; the outcome follows with POST /api/v1/arrears/court-cases/{id}/outcome/. "
        "The account is re-classified.",
        request=s.CourtCaseCreateSerializer,
        responses={201: s.CourtCaseRecordedSerializer, **_refusals(400, 403, 404)},
    )
    def post(self, request, account_id: int):
        data = _parse(s.CourtCaseCreateSerializer, request)
        court_case = legal.court_case_record(actor=request.user, account=self.get_account(), **data)
        return _written(request, court_case, s.CourtCaseRecordedSerializer)


class AccountEvictionsView(_AccountChildren):
    serializer_class = s.EvictionSerializer
    model = Eviction

    def rows(self, account):
        return selectors.eviction_list(account=account)

    @extend_schema(
        summary="An account's evictions",
        description="The latest first.",
        responses={200: s.EvictionSerializer(many=True), **_READ_REFUSALS},
    )
    def get(self, request, account_id: int):
        return self.page(request)

    @extend_schema(
        summary="Record an eviction date",
        description="Any eviction on an account, past or future, stops the letter ladder. The account is "
        "re-classified.",
        request=s.EvictionCreateSerializer,
        responses={201: s.EvictionRecordedSerializer, **_refusals(400, 403, 404)},
    )
    def post(self, request, account_id: int):
        data = _parse(s.EvictionCreateSerializer, request)
        eviction = legal.eviction_record(actor=request.user, account=self.get_account(), **data)
        return _written(request, eviction, s.EvictionRecordedSerializer)


# --- arrangements and court cases ------------------------------------------------------------------


class ArrangementViewSet(viewsets.GenericViewSet):
    serializer_class = s.ArrangementDetailSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Arrangement.objects.none()  # loaded one at a time through the selector

    def get_object(self) -> Arrangement:
        return selectors.arrangement_get(user=self.request.user, arrangement_id=int(self.kwargs["pk"]))

    @extend_schema(
        summary="Get an arrangement with its state history",
        responses={200: s.ArrangementDetailSerializer, **_READ_REFUSALS},
    )
    def retrieve(self, request, pk=None):
        return Response(s.ArrangementDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Cancel an arrangement",
        description="A live or breached one, with a reason (409 otherwise). The account is re-classified.",
        request=s.ArrangementCancelSerializer,
        responses={200: s.ArrangementWrittenSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _parse(s.ArrangementCancelSerializer, request)
        arrangement = legal.arrangement_cancel(actor=request.user, arrangement=self.get_object(), **data)
        arrangement = selectors.arrangement_get(user=request.user, arrangement_id=arrangement.pk)
        return _written(request, arrangement, s.ArrangementWrittenSerializer, status.HTTP_200_OK)


class CourtCaseViewSet(viewsets.GenericViewSet):
    serializer_class = s.CourtCaseSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return CourtCase.objects.none()  # loaded one at a time through the selector

    def get_object(self) -> CourtCase:
        return selectors.court_case_get(user=self.request.user, court_case_id=int(self.kwargs["pk"]))

    @extend_schema(summary="Get a court case", responses={200: s.CourtCaseSerializer, **_READ_REFUSALS})
    def retrieve(self, request, pk=None):
        return Response(s.CourtCaseSerializer(self.get_object()).data)

    @extend_schema(
        summary="Record a hearing's outcome",
        description="A code from GET /api/v1/arrears/court-outcomes/ or any other (kept as given: it still "
        "means an outcome is recorded). An outcome that can carry terms must say whether it does; one that "
        "cannot is refused terms. 409 before the hearing. The account is re-classified.",
        request=s.CourtOutcomeRecordSerializer,
        responses={200: s.CourtCaseRecordedSerializer, **_refusals(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        data = _parse(s.CourtOutcomeRecordSerializer, request)
        court_case = legal.court_outcome_record(actor=request.user, court_case=self.get_object(), **data)
        return _written(request, court_case, s.CourtCaseRecordedSerializer, status.HTTP_200_OK)


# --- reference data --------------------------------------------------------------------------------


class _Picklist(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reference data supervisors keep in the admin: short, so not paged."""

    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        summary="Action-diary codes",
        description="`user_accessible`: caseworkers may record it by hand; `is_communication`: it counts as "
        "the last communication the rules read.",
        responses={200: s.ActionCodeSerializer(many=True), **_refusals(400, 403)},
    )
)
class ActionCodeViewSet(_Picklist):
    serializer_class = s.ActionCodeSerializer
    queryset = ActionCode.objects.order_by("code")
    filterset_fields = ["user_accessible", "is_communication", "is_active"]


@extend_schema_view(
    list=extend_schema(
        summary="Pause reasons",
        description="Pause an account with a reason's `id`.",
        responses={200: s.PauseReasonSerializer(many=True), **_refusals(400, 403)},
    )
)
class PauseReasonViewSet(_Picklist):
    serializer_class = s.PauseReasonSerializer
    queryset = PauseReason.objects.order_by("order", "label")
    filterset_fields = ["is_active"]


@extend_schema_view(
    list=extend_schema(
        summary="Court outcomes",
        description="What each outcome code means and how the rules read it.",
        responses={200: s.CourtOutcomeSerializer(many=True), **_refusals(403)},
    )
)
class CourtOutcomeViewSet(_Picklist):
    serializer_class = s.CourtOutcomeSerializer
    queryset = CourtOutcome.objects.order_by("code")


@extend_schema_view(
    list=extend_schema(
        summary="Transaction types",
        description="Only payment types count towards this week's payments and the last payment.",
        responses={200: s.TransactionTypeSerializer(many=True), **_refusals(400, 403)},
    )
)
class TransactionTypeViewSet(_Picklist):
    serializer_class = s.TransactionTypeSerializer
    queryset = TransactionType.objects.order_by("code")
    filterset_fields = ["category"]
