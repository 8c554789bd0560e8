from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("notifications/", views.notifications, name="notifications"),
]
