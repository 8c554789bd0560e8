from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from aftersales.core.api import PolicyViewSet, TokenView, healthz
from aftersales.deadlines import api as deadlines_api
from aftersales.inventory import api as inventory_api
from aftersales.masterdata import api as masterdata_api
from aftersales.notifications import api as notifications_api
from aftersales.returns import api as returns_api
from aftersales.web import views as web_views
from aftersales.web.forms import LoginForm
from aftersales.workcalendar import api as calendar_api

router = DefaultRouter()
router.register("customers", masterdata_api.CustomerViewSet)
router.register("contacts", masterdata_api.ContactViewSet)
router.register("product-models", masterdata_api.ProductModelViewSet)
router.register("parts", masterdata_api.PartViewSet)
router.register("test-items", masterdata_api.TestItemViewSet)
router.register("units", masterdata_api.ShippedUnitViewSet)
router.register("warehouses", masterdata_api.WarehouseViewSet)
router.register("approvers", masterdata_api.ApproverViewSet)
router.register("suppliers", masterdata_api.SupplierViewSet)
router.register("policies", PolicyViewSet)
router.register("cases", returns_api.CaseViewSet, basename="case")
router.register("stock/balances", inventory_api.StockBalanceViewSet)
router.register("stock/moves", inventory_api.StockMoveViewSet)
router.register("calendar/days", calendar_api.CalendarDayViewSet)
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("imports/<str:kind>/", masterdata_api.ImportView.as_view(), name="api-import"),
    path("service-history/", returns_api.ServiceHistoryView.as_view(), name="api-service-history"),
    path("internal-sales/", returns_api.InternalSalesView.as_view(), name="api-internal-sales"),
    path("replenishments/", returns_api.ReplenishmentsView.as_view(), name="api-replenishments"),
    path("replenishments/<int:pk>/done/", returns_api.ReplenishmentDoneView.as_view(), name="api-replenishment-done"),
    path("stock/production-receipts/", inventory_api.ProductionReceiptView.as_view(), name="api-production-receipt"),
    path("calendar/workday/", calendar_api.WorkdayView.as_view(), name="api-calendar-workday"),
    path("calendar/due/", calendar_api.DueView.as_view(), name="api-calendar-due"),
    path("queues/", deadlines_api.QueuesView.as_view(), name="api-queues"),
    path("queues/<str:role>/", deadlines_api.QueueView.as_view(), name="api-queue"),
    path("", include("aftersales.repairs.api_urls")),
    path("", include("aftersales.claims.api_urls")),
    path("", include("aftersales.servicedesk.api_urls")),
    path("", include("aftersales.field.api_urls")),
    path("", include("aftersales.notifications.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm,
                                                         redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Each app's pages (the paths never overlap); the shell's last.
    path("", include("aftersales.returns.urls")),
    path("", include("aftersales.repairs.urls")),
    path("", include("aftersales.claims.urls")),
    path("", include("aftersales.servicedesk.urls")),
    path("", include("aftersales.field.urls")),
    path("", include("aftersales.masterdata.urls")),
    path("", include("aftersales.web.urls")),
]

handler404 = "aftersales.core.api_errors.json_404"
handler500 = "aftersales.core.api_errors.json_500"
