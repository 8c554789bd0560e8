from django.urls import path

from . import views

app_name = "repairs"

urlpatterns = [
    path("repairs/", views.board, name="repair_board"),
    path("repairs/new/<int:case_id>/", views.order_new, name="repair_order_new"),
    path("repairs/<int:pk>/", views.order_page, name="repair_order"),
    path("repairs/<int:pk>/<str:step>/", views.order_step, name="repair_step"),
    path("material-requests/<int:pk>/<str:step>/", views.material_request_step, name="material_request_step"),
    path("cases/<int:case_id>/quote/", views.quote_new, name="quote_new"),
    path("parts-shipments/<int:shipment_id>/quote/", views.parts_quote_new, name="parts_quote_new"),
    path("parts-quotes/<int:pk>/answer/", views.parts_quote_answer, name="parts_quote_answer"),
    path("scrap/", views.scrap_list, name="scrap_list"),
    path("scrap/<int:pk>/decide/", views.scrap_decide, name="scrap_decide"),
    path("repair-daily/", views.daily_report, name="repair_daily"),
]
