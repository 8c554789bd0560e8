"""Stock API: balances, the move ledger, and receipts of new finished goods from production."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.permissions import RolePermission
from aftersales.masterdata.models import ProductModel

from .models import StockBalance, StockMove
from .services import stock_receive_from_production


class StockBalanceSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")
    product_model = serializers.CharField(source="product_model.code", allow_null=True)
    part = serializers.CharField(source="part.code", allow_null=True)

    class Meta:
        model = StockBalance
        fields = ["warehouse", "product_model", "part", "quantity"]


class StockMoveSerializer(serializers.ModelSerializer):
    from_warehouse = serializers.CharField(source="from_warehouse.code", allow_null=True)
    to_warehouse = serializers.CharField(source="to_warehouse.code", allow_null=True)
    product_model = serializers.CharField(source="product_model.code", allow_null=True)
    part = serializers.CharField(source="part.code", allow_null=True)
    return_case = serializers.CharField(source="return_case.number", allow_null=True)
    actor = serializers.CharField(source="actor.username", allow_null=True)

    class Meta:
        model = StockMove
        fields = ["id", "kind", "product_model", "part", "quantity", "from_warehouse", "to_warehouse",
                  "return_case", "return_unit", "serial", "reference", "actor", "moved_at"]


class StockBalanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = StockBalance.objects.select_related("warehouse", "product_model", "part").filter(quantity__gt=0)
    serializer_class = StockBalanceSerializer
    filterset_fields = {"warehouse__code": ["exact"], "product_model__code": ["exact"], "part__code": ["exact"]}


class StockMoveViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = StockMove.objects.select_related("from_warehouse", "to_warehouse", "product_model", "part",
                                                "return_case", "actor")
    serializer_class = StockMoveSerializer
    filterset_fields = {"kind": ["exact"], "return_case__number": ["exact"], "serial": ["exact"],
                        "product_model__code": ["exact"], "reference": ["exact"]}


class ProductionReceiptView(APIView):
    """New finished goods into the finished goods warehouse (what exchanges ship from)."""

    permission_classes = [RolePermission]
    queryset = StockMove.objects.none()

    @extend_schema(request=inline_serializer("ProductionReceipt", {
        "product_model": serializers.CharField(), "quantity": serializers.IntegerField(min_value=1, required=False),
        "serials": serializers.ListField(child=serializers.CharField(max_length=80), required=False)}),
        responses={201: StockBalanceSerializer(many=True)})
    def post(self, request):
        serializer = _ReceiptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        model = serializer.validated_data["product_model"]
        stock_receive_from_production(actor=request.user, product_model=model,
                                      quantity=serializer.validated_data.get("quantity", 0),
                                      serials=serializer.validated_data.get("serials"))
        balances = StockBalance.objects.filter(product_model=model).select_related("warehouse", "product_model", "part")
        return Response(StockBalanceSerializer(balances, many=True).data, status=201)


class _ReceiptInput(serializers.Serializer):
    """A quantity, or the serials of the units received (what exchanges may ship by serial)."""

    product_model = serializers.SlugRelatedField(slug_field="code", queryset=ProductModel.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    serials = serializers.ListField(child=serializers.CharField(max_length=80), required=False, min_length=1,
                                    max_length=10_000)
