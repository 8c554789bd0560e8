from django.urls import path

from . import views

app_name = "servicedesk"

urlpatterns = [
    path("service-desk/", views.inbox, name="inbox"),
    path("service-desk/new/", views.register, name="register"),
    path("service-desk/mine/", views.portal, name="portal"),
    path("service-desk/complaints/", views.complaint_ledger, name="complaints"),
    path("service-desk/satisfaction/", views.satisfaction_page, name="satisfaction"),
    path("service-desk/<int:pk>/", views.request_page, name="request"),
    path("service-desk/photos/<int:pk>/", views.photo, name="photo"),
    path("service-desk/<int:pk>/print/<str:form>/", views.print_form, name="print"),
    path("service-desk/<int:pk>/<str:step>/", views.request_step, name="request_step"),
    path("service-surveys/<int:pk>/", views.survey_portal, name="survey"),
    path("survey/<str:token>/", views.survey_link, name="survey_link"),
]
