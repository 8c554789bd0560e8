from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("field/", views.board, name="board"),
    path("field/day/", views.day, name="day"),
    path("field/new/", views.open_order, name="open"),
    path("field/penalties/", views.penalties, name="penalties"),
    path("field/penalties/<int:pk>/<str:step>/", views.penalty_step, name="penalty_step"),
    path("field/expenses/", views.expenses, name="expenses"),
    path("field/expenses/<int:pk>/<str:step>/", views.expense_step, name="expense_step"),
    path("field/photos/<int:pk>/", views.photo, name="photo"),
    path("field/<str:record>/<int:pk>/photos/", views.photos_add, name="photos_add"),
    path("field/<int:pk>/", views.order_page, name="order"),
    path("field/<int:pk>/print/<str:form>/", views.print_form, name="print"),
    path("field/<int:pk>/signature.png", views.signature, name="signature"),
    path("field/<int:pk>/feedback/<str:step>/", views.feedback_step, name="feedback_step"),
    path("field/<int:pk>/<str:step>/", views.order_step, name="order_step"),
]
