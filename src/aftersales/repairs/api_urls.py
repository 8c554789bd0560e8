from django.urls import path

from . import api

urlpatterns = [
    path("repair-orders/", api.OrdersView.as_view(), name="api-repair-orders"),
    path("repair-orders/<int:pk>/", api.OrderView.as_view(), name="api-repair-order"),
    path("repair-orders/<int:pk>/plan/", api.OrderPlanView.as_view()),
    path("repair-orders/<int:pk>/findings/", api.OrderFindingsView.as_view()),
    path("repair-orders/<int:pk>/start/", api.OrderStartView.as_view()),
    path("repair-orders/<int:pk>/first-article/", api.OrderFirstArticleView.as_view()),
    path("repair-orders/<int:pk>/records/", api.OrderRecordsView.as_view()),
    path("repair-orders/<int:pk>/delays/", api.OrderDelayView.as_view()),
    path("repair-orders/<int:pk>/close/", api.OrderCloseView.as_view()),
    path("repair-orders/<int:pk>/cancel/", api.OrderCancelView.as_view()),
    path("material-requests/", api.MaterialRequestsView.as_view()),
    path("material-requests/<int:pk>/decide/", api.MaterialRequestDecideView.as_view()),
    path("material-requests/<int:pk>/receive/", api.MaterialRequestReceiveView.as_view()),
    path("material-requests/<int:pk>/issue/", api.MaterialRequestIssueView.as_view()),
    path("quotes/", api.QuotesView.as_view()),
    path("quotes/<int:pk>/revise/", api.QuoteReviseView.as_view()),
    path("quotes/<int:pk>/payment/", api.QuotePaymentView.as_view()),
    path("fees-due/", api.FeesDueView.as_view()),
    path("repair-data/", api.RepairDataView.as_view()),
    path("scrap-applications/", api.ScrapApplicationsView.as_view()),
    path("scrap-applications/<int:pk>/decide/", api.ScrapDecideView.as_view()),
    path("teardowns/", api.TeardownView.as_view()),
    path("teardowns/check/", api.TeardownCheckView.as_view()),
    path("refurbish-orders/", api.RefurbishOrdersView.as_view()),
    path("refurbish-orders/<int:pk>/return/", api.RefurbishReturnView.as_view()),
    path("repair-daily-report/", api.RepairDailyReportView.as_view(), name="api-repair-daily-report"),
    path("cases/<int:pk>/cost/", api.CaseCostView.as_view(), name="api-case-cost"),
]
