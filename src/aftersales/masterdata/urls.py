from django.urls import path

from . import views

app_name = "masterdata"

urlpatterns = [
    path("imports/", views.import_page, name="import"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
]
