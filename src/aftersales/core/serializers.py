"""Fields the apps' serializers share, for answers as they are sent."""

from rest_framework import serializers


def money(**kwargs) -> serializers.DecimalField:
    """An amount in yuan, sent as an exact decimal string ("95.00")."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def decimal_text(**kwargs) -> serializers.CharField:
    """A number sent as exact decimal text ("1.5", "0.250"): hours, weights, rates."""
    kwargs.setdefault("help_text", "A decimal number as text.")
    return serializers.RegexField(r"^-?[0-9]+(\.[0-9]+)?$", **kwargs)


def any_map(**kwargs) -> serializers.DictField:
    """An object whose keys vary (per action, per kind); its values as stored."""
    return serializers.DictField(child=serializers.JSONField(), **kwargs)


def count_map(**kwargs) -> serializers.DictField:
    """Counts by a key: {"received": 3, "extra": 1}."""
    return serializers.DictField(child=serializers.IntegerField(), **kwargs)


class PageSerializer(serializers.Serializer):
    """The one page shape of every list (core/pagination.py); `results` is the list's own."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
