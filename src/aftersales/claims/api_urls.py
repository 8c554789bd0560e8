from django.urls import path

from . import api

urlpatterns = [
    path("supplier-claims/", api.ClaimsView.as_view(), name="api-supplier-claims"),
    path("supplier-claims/<int:pk>/", api.ClaimView.as_view(), name="api-supplier-claim"),
    path("supplier-claims/<int:pk>/actions/<str:action>/", api.ClaimActionView.as_view()),
    path("compensations/", api.CompensationsView.as_view(), name="api-compensations"),
    path("compensations/<int:pk>/", api.CompensationView.as_view(), name="api-compensation"),
    path("compensations/<int:pk>/actions/<str:action>/", api.CompensationActionView.as_view()),
]
