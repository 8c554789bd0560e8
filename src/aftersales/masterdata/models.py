from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.core.models import AuditedModel


class CustomerKind(models.TextChoices):
    DEALER = "dealer", _("Dealer")
    AGENT = "agent", _("Agent")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    DIRECT = "direct", _("Direct customer")
    OTHER = "other", _("Other")


class Customer(AuditedModel):
    code = models.CharField(_("customer code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.DEALER)
    region = models.CharField(_("region"), max_length=100, blank=True)
    regional_sales_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("regional sales manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_customers",
    )
    is_key_customer = models.BooleanField(_("key customer"), default=False)
    warranty_extension_months = models.PositiveSmallIntegerField(
        _("warranty extension (months)"),
        default=0,
        help_text=_("Added to the product model's warranty for this customer's units."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        indexes = [models.Index(fields=["region"]), models.Index(fields=["kind"])]

    def __str__(self):
        return f"{self.code} {self.name}"


class Contact(AuditedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer_id", "-is_primary", "name"]

    def __str__(self):
        return self.name


class ProductModel(AuditedModel):
    """A product model (品号) as sold; units of it are shipped with serials."""

    code = models.CharField(_("model code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the policy's default warranty period."),
    )
    latest_hardware_revision = models.CharField(_("latest hardware revision"), max_length=40, blank=True)
    latest_software_revision = models.CharField(_("latest software revision"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["code"]
        indexes = [models.Index(fields=["category"])]

    def __str__(self):
        return f"{self.code} {self.name}"


class TestItem(AuditedModel):
    """One item of a product model's final test (成品检验): what is checked and what it must meet."""

    product_model = models.ForeignKey(ProductModel, verbose_name=_("product model"), on_delete=models.CASCADE,
                                      related_name="test_items")
    code = models.CharField(_("item code"), max_length=40)
    name = models.CharField(_("test item"), max_length=200)
    requirement = models.CharField(_("requirement"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("final test item")
        verbose_name_plural = _("final test items")
        ordering = ["product_model_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["product_model", "code"], name="test_item_code_per_model")]

    def __str__(self):
        return f"{self.code} {self.name}"


class ScrapClass(models.TextChoices):
    METAL = "metal", _("Metal (五金)")
    PLASTIC = "plastic", _("Plastic (塑胶)")
    PACKAGING = "packaging", _("Packaging (包材)")
    WIRE = "wire", _("Wire (线材)")
    OTHER = "other", _("Other")


class Part(AuditedModel):
    """A part or material (料号) used in repair, bought, stocked and scrapped."""

    code = models.CharField(_("part code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, default="pcs")
    scrap_class = models.CharField(_("scrap class"), max_length=20, choices=ScrapClass.choices, default=ScrapClass.OTHER)
    unit_cost = models.DecimalField(
        _("unit cost (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="part_unit_cost_not_negative")]

    def __str__(self):
        return f"{self.code} {self.name}"


class ShippedUnit(AuditedModel):
    """One unit as it left the factory: the registry warranty and service history start from."""

    serial = models.CharField(_("serial number"), max_length=80)
    # No single-column indexes on the two keys: the composite indexes below start with them.
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.PROTECT, related_name="shipped_units",
        db_index=False,
    )
    production_lot = models.CharField(_("production lot"), max_length=60, blank=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="shipped_units", db_index=False)
    shipped_date = models.DateField(_("shipped date"))
    sales_order = models.CharField(_("sales order"), max_length=60, blank=True)
    # A unit shipped in exchange for a faulty one: its warranty starts on its own shipped date and its
    # history joins the faulty unit's.
    replaces = models.ForeignKey("self", verbose_name=_("replaces"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="replaced_by")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shipped unit")
        verbose_name_plural = _("shipped units")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["product_model", "serial"], name="shipped_unit_serial_unique_per_model"),
        ]
        indexes = [
            models.Index(fields=["customer", "production_lot", "-id"], name="unit_customer_lot"),
            models.Index(fields=["serial"], name="unit_serial"),
            models.Index(fields=["product_model", "production_lot"], name="unit_model_lot"),
            models.Index(fields=["customer", "-id"], name="unit_customer"),
        ]

    def __str__(self):
        return f"{self.product_model_id}:{self.serial}"


class WarehouseKind(models.TextChoices):
    AFTER_SALES = "after_sales", _("After-sales warehouse (售后仓)")
    FINISHED_GOODS = "finished_goods", _("Finished goods warehouse (成品仓)")
    DEFECTIVE = "defective", _("Defective goods warehouse (不良品仓)")
    SCRAP = "scrap", _("Scrap warehouse (报废仓)")
    RAW_MATERIAL = "raw_material", _("Raw material warehouse (原材料仓)")
    VAN = "van", _("Technician's van stock (随车备件)")


class Warehouse(AuditedModel):
    code = models.CharField(_("warehouse code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=WarehouseKind.choices)
    # Where customers send returned goods (the after-sales warehouse's): told in the approval notice.
    address = models.CharField(_("address"), max_length=300, blank=True)
    receiver = models.CharField(_("receiver"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A van stock's technician: the parts they carry to sites, in the ledger like any warehouse.
    holder = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="van_stock")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ApprovalKind(models.TextChoices):
    """The approvals a return case may need (售后客返品管理流程 5.1.1.1; 售后返退货产品流程描述 一.2-4)."""

    SERVICE = "service", _("After-sales service")
    VP = "vp", _("Vice president in charge (batch)")
    GM = "gm", _("General manager (quality incident)")
    RSM = "rsm", _("Regional sales manager (whole-unit replacement)")


class Approver(AuditedModel):
    """Who may give an approval of a return case: a person named for a kind, within a scope (the VP per
    product line, the regional sales manager per region); an empty scope covers all."""

    kind = models.CharField(_("approval"), max_length=10, choices=ApprovalKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT,
                             related_name="approver_assignments")
    product_line = models.CharField(_("product line"), max_length=100, blank=True,
                                    help_text=_("A product category as the product models name it; empty: all."))
    region = models.CharField(_("region"), max_length=100, blank=True,
                              help_text=_("A customer region; empty: all."))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approver")
        verbose_name_plural = _("approvers")
        ordering = ["kind", "product_line", "region", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "user", "product_line", "region"],
                                               name="approver_assignment_unique")]

    def __str__(self):
        return f"{self.kind}: {self.user_id}"


class Supplier(AuditedModel):
    """A supplier of parts or whole products: whom purchasing claims from (售后服务工作流程及管理规定 三.8)."""

    code = models.CharField(_("supplier code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    parts = models.ManyToManyField(Part, verbose_name=_("parts supplied"), blank=True, related_name="suppliers")
    product_models = models.ManyToManyField(ProductModel, verbose_name=_("product models supplied"), blank=True,
                                            related_name="suppliers")
    warranty_months = models.PositiveSmallIntegerField(
        _("supplier's warranty (months)"), null=True, blank=True,
        help_text=_("How long the supplier answers for what it supplied, from our receipt."))
    warranty_terms = models.TextField(_("warranty terms"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"
