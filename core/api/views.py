from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from rest_framework.authentication import BasicAuthentication
from rest_framework.generics import RetrieveAPIView
from rest_framework.throttling import ScopedRateThrottle

from core.api.permissions import IsStaffMember
from core.api.serializers import MeSerializer, TokenSerializer


class MeView(RetrieveAPIView):
    """The signed-in staff member, with their roles."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class TokenCreateView(knox_views.LoginView):
    """Exchange a staff member's email and password (HTTP Basic) for an API token. The token is
    stored hashed and expires after API_TOKEN_TTL_DAYS."""

    authentication_classes = [BasicAuthentication]
    permission_classes = [IsStaffMember]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token-login"

    @extend_schema(request=None, responses=TokenSerializer)
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenRevokeView(knox_views.LogoutView):
    """Revoke the token this request is authenticated with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenRevokeAllView(knox_views.LogoutAllView):
    """Revoke every token of the signed-in staff member."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
