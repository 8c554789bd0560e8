"""Master data API: customers, contacts, product models, parts, shipped units, warehouses, approvers, imports."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.api import AuditedViewSet
from aftersales.core.errors import InvalidInput, NotFound, PermissionDenied
from aftersales.core.permissions import SHARED
from aftersales.core.uploads import upload_read
from aftersales.lib.tabular import MAX_FILE_BYTES

from . import importing
from .models import Approver, Contact, Customer, Part, ProductModel, ShippedUnit, Supplier, TestItem, Warehouse


class ContactSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", queryset=Customer.objects.all())

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "position", "phone", "email", "is_primary", "created_at", "updated_at"]


class CustomerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "position", "phone", "email", "is_primary"]


class CustomerSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    regional_sales_manager = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(customer__isnull=True, is_active=True),
        required=False,
        allow_null=True,
    )
    contacts = CustomerContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "kind", "kind_display", "region", "regional_sales_manager", "is_key_customer",
            "warranty_extension_months", "is_active", "contacts", "created_at", "updated_at",
        ]


class ProductModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductModel
        fields = [
            "id", "code", "name", "spec", "category", "warranty_months", "latest_hardware_revision",
            "latest_software_revision", "is_active", "created_at", "updated_at",
        ]


class TestItemSerializer(serializers.ModelSerializer):
    product_model = serializers.SlugRelatedField(slug_field="code", queryset=ProductModel.objects.all())

    class Meta:
        model = TestItem
        fields = ["id", "product_model", "code", "name", "requirement", "position", "is_active", "created_at",
                  "updated_at"]


class PartSerializer(serializers.ModelSerializer):
    scrap_class_display = serializers.CharField(source="get_scrap_class_display", read_only=True)

    class Meta:
        model = Part
        fields = [
            "id", "code", "name", "spec", "unit_of_measure", "scrap_class", "scrap_class_display", "unit_cost",
            "is_active", "created_at", "updated_at",
        ]


class ShippedUnitSerializer(serializers.ModelSerializer):
    product_model = serializers.SlugRelatedField(slug_field="code", queryset=ProductModel.objects.all())
    product_model_name = serializers.CharField(source="product_model.name", read_only=True)
    customer = serializers.SlugRelatedField(slug_field="code", queryset=Customer.objects.all())
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    replaces = serializers.CharField(source="replaces.serial", read_only=True, allow_null=True,
                                     help_text=gettext_lazy("The faulty unit this one was shipped in exchange for."))
    replaced_by = serializers.SlugRelatedField(slug_field="serial", many=True, read_only=True,
                                               help_text=gettext_lazy("The units shipped in exchange for this one."))

    class Meta:
        model = ShippedUnit
        fields = [
            "id", "serial", "product_model", "product_model_name", "production_lot", "customer", "customer_name",
            "shipped_date", "sales_order", "replaces", "replaced_by", "created_at", "updated_at",
        ]

    def validate_serial(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("This field may not be blank."))
        return value


class SupplierSerializer(serializers.ModelSerializer):
    parts = serializers.SlugRelatedField(slug_field="code", many=True, required=False, queryset=Part.objects.all())
    product_models = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                                  queryset=ProductModel.objects.all())

    class Meta:
        model = Supplier
        fields = ["id", "code", "name", "contact_name", "phone", "email", "address", "parts", "product_models",
                  "warranty_months", "warranty_terms", "is_active", "created_at", "updated_at"]
        extra_kwargs = {"warranty_months": {"max_value": 1200}, "warranty_terms": {"max_length": 5000}}


class WarehouseSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "kind", "kind_display", "address", "receiver", "phone", "is_active", "created_at",
                  "updated_at"]


class CustomerFilter(django_filters.FilterSet):
    class Meta:
        model = Customer
        fields = {"code": ["exact"], "kind": ["exact"], "region": ["exact"], "is_key_customer": ["exact"],
                  "is_active": ["exact"], "regional_sales_manager__username": ["exact"]}


class ShippedUnitFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__code", label=gettext_lazy("customer code"))
    product_model = django_filters.CharFilter(field_name="product_model__code", label=gettext_lazy("model code"))
    lot = django_filters.CharFilter(field_name="production_lot")
    shipped_after = django_filters.DateFilter(field_name="shipped_date", lookup_expr="gte")
    shipped_before = django_filters.DateFilter(field_name="shipped_date", lookup_expr="lte")

    class Meta:
        model = ShippedUnit
        fields = ["customer", "product_model", "lot", "serial", "sales_order", "shipped_after", "shipped_before"]


class CustomerViewSet(AuditedViewSet):
    queryset = Customer.objects.select_related("regional_sales_manager").prefetch_related("contacts")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "region", "created_at"]
    customer_scope = "id"


class ContactViewSet(AuditedViewSet):
    queryset = Contact.objects.select_related("customer")
    serializer_class = ContactSerializer
    filterset_fields = {"customer__code": ["exact"], "is_primary": ["exact"]}
    search_fields = ["name", "phone", "email"]
    customer_scope = "customer"


class ProductModelViewSet(AuditedViewSet):
    queryset = ProductModel.objects.all()
    serializer_class = ProductModelSerializer
    filterset_fields = {"code": ["exact"], "category": ["exact"], "is_active": ["exact"]}
    search_fields = ["code", "name", "spec"]
    ordering_fields = ["code", "name", "category"]
    customer_scope = SHARED


class TestItemViewSet(AuditedViewSet):
    """A product model's final test items (成品检验项目): quality and engineering keep them."""

    queryset = TestItem.objects.select_related("product_model")
    serializer_class = TestItemSerializer
    filterset_fields = {"product_model__code": ["exact"], "is_active": ["exact"]}
    ordering_fields = ["position", "code"]
    customer_scope = SHARED


class PartViewSet(AuditedViewSet):
    queryset = Part.objects.all()
    serializer_class = PartSerializer
    filterset_fields = {"code": ["exact"], "scrap_class": ["exact"], "is_active": ["exact"]}
    search_fields = ["code", "name", "spec"]
    ordering_fields = ["code", "name", "unit_cost"]


class ShippedUnitViewSet(AuditedViewSet):
    queryset = ShippedUnit.objects.select_related("product_model", "customer", "replaces").prefetch_related(
        "replaced_by")
    serializer_class = ShippedUnitSerializer
    filterset_class = ShippedUnitFilter
    search_fields = ["=serial"]
    ordering_fields = ["id", "serial", "shipped_date"]
    ordering = ["-id"]
    customer_scope = "customer"


class SupplierViewSet(AuditedViewSet):
    queryset = Supplier.objects.prefetch_related("parts", "product_models")
    serializer_class = SupplierSerializer
    filterset_fields = {"code": ["exact"], "is_active": ["exact"], "parts__code": ["exact"],
                        "product_models__code": ["exact"]}
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


class WarehouseViewSet(AuditedViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_fields = {"kind": ["exact"], "is_active": ["exact"]}


class ApproverSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username",
                                        queryset=get_user_model().objects.filter(customer__isnull=True, is_active=True))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Approver
        fields = ["id", "kind", "kind_display", "user", "product_line", "region", "is_active", "created_at",
                  "updated_at"]


class ApproverViewSet(AuditedViewSet):
    """Who may give which approval of a return case (the approval matrix), within a product line or region."""

    queryset = Approver.objects.select_related("user")
    serializer_class = ApproverSerializer
    filterset_fields = {"kind": ["exact"], "user__username": ["exact"], "product_line": ["exact"],
                        "region": ["exact"], "is_active": ["exact"]}


IMPORT_RESULT = inline_serializer("ImportResult", {
    "kind": serializers.CharField(), "rows": serializers.IntegerField(), "created": serializers.IntegerField(),
    "updated": serializers.IntegerField(), "unchanged": serializers.IntegerField()})


class ImportView(APIView):
    """Import customers, product models, parts or shipped units from a CSV or XLSX file.

    All or nothing: any bad row rejects the whole file (400, code `import_rejected`, every bad
    row in `details.errors`). `dry_run=true` validates without writing. Files up to 20 MB and
    200,000 rows (400 `file_too_large`, `too_many_rows`, `too_many_columns`, `too_many_cells`).
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer(
            "ImportUpload", {"file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False)})},
        responses={201: IMPORT_RESULT, 200: OpenApiResponse(IMPORT_RESULT, description="A dry run: nothing written.")},
    )
    def post(self, request, kind: str):
        import_kind = importing.KINDS.get(kind)
        if import_kind is None:
            raise NotFound()
        meta = import_kind.model._meta
        needed = [f"{meta.app_label}.add_{meta.model_name}"]
        if import_kind.upsert:
            needed.append(f"{meta.app_label}.change_{meta.model_name}")
        if request.user.is_customer_user or not request.user.has_perms(needed):
            raise PermissionDenied()
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(details={"file": [_("No file was submitted.")]})
        dry_run = str(request.data.get("dry_run", "")).lower() in {"1", "true", "yes"}
        raw = upload_read(upload, max_bytes=MAX_FILE_BYTES)
        result = importing.import_file(actor=request.user, kind=kind, raw=raw, filename=upload.name, dry_run=dry_run)
        return Response(result.as_dict(), status=200 if dry_run else 201)
