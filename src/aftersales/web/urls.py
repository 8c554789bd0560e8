from django.urls import path

from . import printing, views

app_name = "web"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/actions/<str:action>/", views.case_action, name="case_action"),
    path("cases/<int:pk>/receive/", views.receive, name="receive"),
    path("cases/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("cases/<int:pk>/labels/", printing.labels, name="labels"),
    path("cases/<int:pk>/print/<str:form>/", printing.print_form, name="print_form"),
    path("units/lookup/", views.serial_lookup, name="serial_lookup"),
    path("receiving/", views.receiving, name="receiving"),
    path("bench/quality/", views.quality_bench, name="quality_bench"),
    path("bench/repair/", views.repair_bench, name="repair_bench"),
    path("notifications/", views.notifications, name="notifications"),
]
