from django.urls import path

from .views import application, approvals, benches, cases, files, printing, receiving

app_name = "returns"

urlpatterns = [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", application.case_new, name="case_new"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/actions/<str:action>/", cases.case_action, name="case_action"),
    path("cases/<int:pk>/receive/", receiving.receive, name="receive"),
    path("cases/<int:pk>/inspect/", benches.inspect, name="inspect"),
    path("cases/<int:pk>/final-inspection/", benches.final_inspection, name="final_inspection"),
    path("cases/<int:pk>/labels/", printing.labels, name="labels"),
    path("cases/<int:pk>/print/<str:form>/", printing.print_form, name="print_form"),
    path("attachments/<int:pk>/", files.attachment, name="attachment"),
    path("units/lookup/", application.serial_lookup, name="serial_lookup"),
    path("approvals/matrix/", approvals.approval_matrix, name="approval_matrix"),
    path("receiving/", benches.receiving, name="receiving"),
    path("bench/quality/", benches.quality_bench, name="quality_bench"),
    path("bench/repair/", benches.repair_bench, name="repair_bench"),
]
