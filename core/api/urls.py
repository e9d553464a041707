from django.urls import path
from knox import views as knox_views

from core.api.views import MeView, TokenCreateView

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", TokenCreateView.as_view(), name="api-token-create"),
    path("auth/token/revoke/", knox_views.LogoutView.as_view(), name="api-token-revoke"),
    path("auth/token/revoke-all/", knox_views.LogoutAllView.as_view(), name="api-token-revoke-all"),
]
