from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("supplier-claims/", views.claim_list, name="claim_list"),
    path("supplier-claims/<int:pk>/", views.claim_page, name="claim"),
    path("supplier-claims/<int:pk>/act/", views.claim_step, name="claim_step"),
    path("supplier-claims/<int:pk>/print/", views.claim_print, name="claim_print"),
    path("compensations/", views.compensation_list, name="compensation_list"),
    path("compensations/<int:pk>/act/", views.compensation_step, name="compensation_step"),
]
