"""Signing in and loading the signed-in user on every request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef


class RoleAwareModelBackend(ModelBackend):
    """Django's ModelBackend, except that the user each request loads comes with the names of
    their roles (core.roles) in the same query: nearly every staff page asks `has_role`, which
    otherwise costs a second query per request."""

    def get_user(self, user_id):
        role_names = ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
        user = get_user_model()._default_manager.annotate(role_names=role_names).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_names = set(user.role_names)  # the cache core.permissions.has_role reads
        return user
