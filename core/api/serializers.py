from rest_framework import serializers

from core.models import User


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "kind", "roles"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(allow_null=True)
