from django.urls import path

from . import api

urlpatterns = [
    path("service-requests/", api.RequestsView.as_view(), name="api-service-requests"),
    path("service-requests/serial-lookup/", api.SerialLookupView.as_view(), name="api-service-serial-lookup"),
    path("service-requests/<int:pk>/", api.RequestView.as_view(), name="api-service-request"),
    path("service-requests/<int:pk>/reply/", api.RequestReplyView.as_view()),
    path("service-requests/<int:pk>/contacts/", api.RequestContactView.as_view()),
    path("service-requests/<int:pk>/decide/", api.RequestDecideView.as_view()),
    path("service-requests/<int:pk>/resolve/", api.RequestResolveView.as_view()),
    path("service-requests/<int:pk>/close/", api.RequestCloseView.as_view()),
    path("service-requests/<int:pk>/reopen/", api.RequestReopenView.as_view()),
    path("service-requests/<int:pk>/classify/", api.RequestClassifyView.as_view()),
    path("service-requests/<int:pk>/verify-complaint/", api.RequestVerifyComplaintView.as_view()),
    path("service-requests/<int:pk>/reject-complaint/", api.RequestRejectComplaintView.as_view()),
    path("service-requests/<int:pk>/photos/", api.RequestPhotosView.as_view()),
    path("service-requests/<int:pk>/parts-shipments/<int:shipment>/ship/", api.PartsShipmentShipView.as_view()),
    path("conduct-records/", api.ConductRecordsView.as_view(), name="api-conduct-records"),
    path("complaints/", api.ComplaintsView.as_view(), name="api-complaints"),
    path("complaints/pareto/", api.ComplaintParetoView.as_view(), name="api-complaints-pareto"),
    path("complaint-causes/", api.CausesView.as_view(), name="api-complaint-causes"),
    path("complaint-causes/<int:pk>/improvement/", api.CauseImprovementView.as_view()),
    path("service-surveys/<int:pk>/", api.SurveyView.as_view(), name="api-service-survey"),
    path("satisfaction/", api.SatisfactionView.as_view(), name="api-satisfaction"),
    path("satisfaction/groups/", api.SatisfactionGroupsView.as_view(), name="api-satisfaction-groups"),
    path("satisfaction/comments/", api.SatisfactionCommentsView.as_view(), name="api-satisfaction-comments"),
    path("survey-links/<str:token>/", api.SurveyLinkView.as_view(), name="api-survey-link"),
    path("supplier-referrals/", api.SupplierReferralsView.as_view()),
]
