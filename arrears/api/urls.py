"""The arrears REST API, under /api/v1/arrears/ (staff only)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from arrears.api import views

router = SimpleRouter()
router.register("arrears/accounts", views.AccountViewSet, basename="arrears-account")
router.register("arrears/arrangements", views.ArrangementViewSet, basename="arrears-arrangement")
router.register("arrears/court-cases", views.CourtCaseViewSet, basename="arrears-court-case")
router.register("arrears/action-codes", views.ActionCodeViewSet, basename="arrears-action-code")
router.register("arrears/pause-reasons", views.PauseReasonViewSet, basename="arrears-pause-reason")
router.register("arrears/court-outcomes", views.CourtOutcomeViewSet, basename="arrears-court-outcome")
router.register("arrears/transaction-types", views.TransactionTypeViewSet, basename="arrears-transaction-type")

_account = "arrears/accounts/<int:account_id>"

urlpatterns = [
    *router.urls,
    path(f"{_account}/transactions/", views.AccountTransactionsView.as_view(), name="arrears-account-transactions"),
    path(f"{_account}/diary/", views.AccountDiaryView.as_view(), name="arrears-account-diary"),
    path(f"{_account}/arrangements/", views.AccountArrangementsView.as_view(), name="arrears-account-arrangements"),
    path(f"{_account}/nosps/", views.AccountNospsView.as_view(), name="arrears-account-nosps"),
    path(f"{_account}/court-cases/", views.AccountCourtCasesView.as_view(), name="arrears-account-court-cases"),
    path(f"{_account}/evictions/", views.AccountEvictionsView.as_view(), name="arrears-account-evictions"),
]
