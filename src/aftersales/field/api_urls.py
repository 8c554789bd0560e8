from django.urls import path

from . import api

urlpatterns = [
    path("field-orders/", api.FieldOrdersView.as_view(), name="api-field-orders"),
    path("field-orders/<int:pk>/", api.FieldOrderView.as_view(), name="api-field-order"),
    path("field-orders/<int:pk>/report/", api.ServiceReportView.as_view(), name="api-field-report"),
    path("field-orders/<int:pk>/actions/<str:action>/", api.FieldOrderActionView.as_view(), name="api-field-action"),
    path("field-board/", api.BoardView.as_view(), name="api-field-board"),
    path("field-day/", api.DayView.as_view(), name="api-field-day"),
    path("van-stock/", api.VanStockView.as_view(), name="api-van-stock"),
    path("van-stock/issue/", api.VanIssueView.as_view(), name="api-van-issue"),
    path("van-stock/return/", api.VanReturnView.as_view(), name="api-van-return"),
    path("van-stock/issues/", api.VanIssuesView.as_view(), name="api-van-issues"),
    path("spare-parts-plan/", api.SparePartsPlanView.as_view(), name="api-spare-parts-plan"),
    path("penalties/", api.PenaltiesView.as_view(), name="api-penalties"),
    path("penalties/<int:pk>/", api.PenaltyView.as_view(), name="api-penalty"),
    path("penalties/<int:pk>/actions/<str:action>/", api.PenaltyActionView.as_view(), name="api-penalty-action"),
    path("technician-leave/", api.LeaveView.as_view(), name="api-technician-leave"),
    path("technician-figures/", api.FiguresView.as_view(), name="api-technician-figures"),
    path("expense-claims/", api.ExpenseClaimsView.as_view(), name="api-expense-claims"),
    path("expense-claims/<int:pk>/", api.ExpenseClaimView.as_view(), name="api-expense-claim"),
    path("expense-claims/<int:pk>/actions/<str:action>/", api.ExpenseClaimActionView.as_view(),
         name="api-expense-claim-action"),
    path("field-orders/<int:pk>/feedback/", api.OrderFeedbackView.as_view(), name="api-field-feedback"),
    path("customer-feedback/", api.FeedbackListView.as_view(), name="api-customer-feedback"),
    path("customer-feedback/<int:pk>/answer/", api.FeedbackAnswerView.as_view(), name="api-feedback-answer"),
    path("visit-plans/", api.VisitPlansView.as_view(), name="api-visit-plans"),
    path("visit-plans/schedule/", api.VisitScheduleView.as_view(), name="api-visit-schedule"),
    path("field-orders/<int:pk>/photos/", api.OrderPhotosView.as_view(), name="api-field-photos"),
    path("expense-claims/<int:pk>/receipts/", api.ClaimReceiptsView.as_view(), name="api-claim-receipts"),
]
