"""What the queues answer: a role's counts, and a clocked step."""

from rest_framework import serializers


class QueueCountsSerializer(serializers.Serializer):
    role = serializers.CharField()
    label = serializers.CharField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    due_today = serializers.IntegerField()


class DeadlineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    role = serializers.CharField()
    state = serializers.ChoiceField(choices=["open", "paused", "met", "cancelled"])
    subject_type = serializers.CharField()
    subject_id = serializers.IntegerField()
    reference = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField(allow_null=True)
    provisional = serializers.BooleanField(help_text="The due moment is in a year whose calendar is not confirmed.")
    overdue = serializers.BooleanField()
    alert_level = serializers.IntegerField(help_text="0 none, 1 approaching, 2 overdue, 3 escalated to the manager.")


class QueueSerializer(QueueCountsSerializer):
    """A role's queue: its counts, and a page of its steps, soonest due first."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DeadlineSerializer(many=True)
