from django.urls import path

from . import files, printing, repair_views, views

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
    path("attachments/<int:pk>/", files.attachment, name="attachment"),
    path("units/lookup/", views.serial_lookup, name="serial_lookup"),
    path("receiving/", views.receiving, name="receiving"),
    path("bench/quality/", views.quality_bench, name="quality_bench"),
    path("bench/repair/", views.repair_bench, name="repair_bench"),
    path("notifications/", views.notifications, name="notifications"),
    path("repairs/", repair_views.board, name="repair_board"),
    path("repairs/new/<int:case_id>/", repair_views.order_new, name="repair_order_new"),
    path("repairs/<int:pk>/", repair_views.order_page, name="repair_order"),
    path("repairs/<int:pk>/<str:step>/", repair_views.order_step, name="repair_step"),
    path("material-requests/<int:pk>/<str:step>/", repair_views.material_request_step, name="material_request_step"),
    path("cases/<int:case_id>/quote/", repair_views.quote_new, name="quote_new"),
    path("scrap/", repair_views.scrap_list, name="scrap_list"),
    path("scrap/<int:pk>/decide/", repair_views.scrap_decide, name="scrap_decide"),
    path("repair-daily/", repair_views.daily_report, name="repair_daily"),
]
