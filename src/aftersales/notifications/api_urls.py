from django.urls import path

from . import api

urlpatterns = [
    path("notification-channels/", api.ChannelsView.as_view(), name="api-notification-channels"),
    path("notification-channels/<int:pk>/", api.ChannelView.as_view(), name="api-notification-channel"),
    path("notification-channels/<int:pk>/test/", api.ChannelTestView.as_view(), name="api-notification-channel-test"),
]
