"""Input and output of the channels API (the OpenAPI schema types every request and answer)."""

from rest_framework import serializers

from .models import BodyFormat, ChannelKind

_SECRET = "The name of a secret (capital letters, digits, _), read from AFTERSALES_CHANNEL_SECRET_<NAME> or the " \
          "secrets file; never its value."


class ChannelInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    role = serializers.CharField(required=False, allow_blank=True, help_text="A staff role, or blank.")
    customer = serializers.CharField(required=False, allow_null=True, help_text="A customer's code, or null.")
    language = serializers.CharField(required=False, help_text="zh-hans (default) or en.")
    is_active = serializers.BooleanField(required=False)
    secret_name = serializers.CharField(required=False, allow_blank=True,
                                        help_text=_SECRET + " Robots: the webhook address; SMS: the token.")
    signing_secret_name = serializers.CharField(required=False, allow_blank=True,
                                                help_text=_SECRET + " DingTalk's signing secret (加签).")
    addresses = serializers.CharField(required=False, allow_blank=True,
                                      help_text="Phone numbers (SMS) or e-mail addresses (e-mail), comma separated.")
    url = serializers.CharField(required=False, allow_blank=True, help_text="The SMS gateway's address.")
    body_format = serializers.ChoiceField(choices=BodyFormat.choices, required=False)
    body_template = serializers.CharField(required=False, allow_blank=True,
                                          help_text='A JSON object; {phone}, {text}, {token} in its values.')
    auth_header = serializers.CharField(required=False, allow_blank=True)
    auth_scheme = serializers.CharField(required=False, allow_blank=True)
    success_field = serializers.CharField(required=False, allow_blank=True)
    success_value = serializers.CharField(required=False, allow_blank=True)


class ChannelPatchInput(ChannelInput):
    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=ChannelKind.choices, required=False)


class ChannelOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    kind_display = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    customer = serializers.CharField(allow_null=True)
    language = serializers.CharField()
    is_active = serializers.BooleanField()
    secret_name = serializers.CharField(allow_blank=True)
    signing_secret_name = serializers.CharField(allow_blank=True)
    secrets_missing = serializers.ListField(child=serializers.CharField(),
                                            help_text="Names of the secrets the worker cannot read now.")
    addresses = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    body_format = serializers.ChoiceField(choices=BodyFormat.choices)
    body_template = serializers.CharField(allow_blank=True)
    auth_header = serializers.CharField(allow_blank=True)
    auth_scheme = serializers.CharField(allow_blank=True)
    success_field = serializers.CharField(allow_blank=True)
    success_value = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ChannelTestResult(serializers.Serializer):
    address = serializers.CharField(allow_blank=True, help_text="The number or address (blank for a robot).")
    delivered = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True, help_text="Why not, naming no secret's value.")


class ChannelTestOutput(serializers.Serializer):
    results = ChannelTestResult(many=True)
