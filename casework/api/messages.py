"""Letters, emails and texts about a case: list them, preview a template against the case, send
one (idempotent by the client's key), read one, and download a letter's PDF. Staff only."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api.case_children import CaseChildrenView
from casework.selectors.cases import case_get
from casework.selectors.messages import case_message_get, case_message_list_for, sendable_template_list_for
from casework.services import messages as case_messages
from communications import services as communications
from communications.fields import context_for
from communications.models import Message, Template
from core import errors


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Template
        fields = ["key", "name", "channel", "description", "required_fields", "version"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template_version.template.key", read_only=True)
    template_version = serializers.IntegerField(source="template_version.number", read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "template",
            "template_version",
            "status",
            "needs_review",
            "missing_fields",
            "failure",
            "provider_status",
            "recipient_name",
            "recipient_address",
            "recipient_email",
            "recipient_phone",
            "subject",
            "body",
            "created_at",
            "sent_at",
            "delivered_at",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, message: Message) -> str | None:
        return reverse("message-pdf-api", args=[message.pk]) if message.channel == Message.Channel.LETTER else None


def _template(request, key: str) -> Template:
    template = sendable_template_list_for(user=request.user).filter(key=key).first()
    if template is None:
        raise errors.ValidationError(fields={"template": [f"There is no template in use with the key “{key}”."]})
    return template


class SendSerializer(serializers.Serializer):
    template = serializers.SlugField(help_text="The template's key.")
    key = serializers.CharField(
        max_length=150,
        help_text="Your idempotency key for this decision: sending again with the same key returns the first message.",
    )


class PreviewSerializer(serializers.Serializer):
    template = serializers.SlugField(help_text="The template's key.")


class PreviewResultSerializer(serializers.Serializer):
    channel = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    html = serializers.CharField()
    missing_fields = serializers.ListField(child=serializers.CharField())


@extend_schema_view(
    get=extend_schema(summary="List a case's letters, emails and texts", responses=MessageSerializer(many=True)),
    post=extend_schema(
        summary="Send a letter, email or text about a case",
        description=(
            "Records the decision and queues delivery. `key` makes it idempotent: the same key again returns "
            "the message already recorded (200) instead of sending a second (201). A message missing "
            "required details is recorded as blocked (not sent), and the case gets a flag and a task. An "
            "invalid email address or phone number is refused (400) and nothing is recorded."
        ),
        request=SendSerializer,
        responses={201: MessageSerializer, 200: MessageSerializer},
    ),
)
class CaseMessagesView(CaseChildrenView):
    serializer_class = MessageSerializer
    input_serializer_class = SendSerializer

    def list_for(self, request, case_id: int):
        return case_message_list_for(user=request.user, case_id=case_id)

    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = case_messages.case_message_send(
            actor=request.user,
            case=case,
            template=_template(request, data.validated_data["template"]),
            key=f"api-{data.validated_data['key']}",
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(MessageSerializer(message).data, status=answer)


class CaseMessagePreviewView(GenericAPIView):
    serializer_class = PreviewSerializer

    @extend_schema(
        summary="Preview a template against a case",
        description="What the message would say now, and which required details the case lacks. Sends nothing.",
        request=PreviewSerializer,
        responses=PreviewResultSerializer,
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = PreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = _template(request, data.validated_data["template"])
        rendered = communications.message_preview(version=template, context=context_for(case))
        result = {
            "channel": template.channel,
            "subject": rendered.subject,
            "body": rendered.body,
            "html": rendered.html,
            "missing_fields": rendered.missing,
        }
        return Response(PreviewResultSerializer(result).data)


class MessageView(APIView):
    @extend_schema(summary="Read a message", responses=MessageSerializer)
    def get(self, request, message_id: int):
        message, _case = case_message_get(user=request.user, message_id=message_id)
        return Response(MessageSerializer(message).data)


class MessagePdfView(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # as document downloads

    @extend_schema(
        summary="Download a letter's PDF",
        description="The PDF handed over, or (not handed over yet) the letter as it will be.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The letter.")},
    )
    def get(self, request, message_id: int):
        message, _case = case_message_get(user=request.user, message_id=message_id)
        response = HttpResponse(communications.message_letter_pdf(message), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="letter-{message.pk}.pdf"'
        return response


@extend_schema_view(get=extend_schema(summary="List the templates staff can send"))
class TemplateListView(ListAPIView):
    serializer_class = TemplateSerializer

    def get_queryset(self):
        return sendable_template_list_for(user=self.request.user)


urlpatterns = [
    path("cases/<int:case_id>/messages/", CaseMessagesView.as_view(), name="case-messages"),
    path("cases/<int:case_id>/messages/preview/", CaseMessagePreviewView.as_view(), name="case-message-preview"),
    path("messages/<int:message_id>/", MessageView.as_view(), name="message-api"),
    path("messages/<int:message_id>/pdf/", MessagePdfView.as_view(), name="message-pdf-api"),
    path("message-templates/", TemplateListView.as_view(), name="message-templates"),
]
