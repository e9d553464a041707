from django.urls import path

from core.api.views import MeView, TokenCreateView, TokenRevokeAllView, TokenRevokeView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", TokenCreateView.as_view(), name="api-token-create"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("auth/token/revoke-all/", TokenRevokeAllView.as_view(), name="api-token-revoke-all"),
]
