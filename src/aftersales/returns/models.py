"""The return case (客户返品): lines as the customer's note lists them, a unit record for every
physical unit, approvals, inspections, receiving differences, settlements and the timeline."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    DEALER = "dealer", _("Dealer application")
    ECOMMERCE = "ecommerce", _("E-commerce")
    DIRECT = "direct", _("Direct customer")
    SERVICE_DESK = "service_desk", _("Service desk")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVING = "receiving", _("Receiving")
    RECEIVED = "received", _("Received")
    INSPECTING = "inspecting", _("Inspecting")
    DISPOSED = "disposed", _("Disposed")
    IN_WORK = "in_work", _("In work")
    FINAL_INSPECTION = "final_inspection", _("Final inspection")
    READY = "ready", _("Ready to ship / to settle")
    SETTLED = "settled", _("Settled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class VolumeClass(models.TextChoices):
    SPORADIC = "sporadic", _("Sporadic return")
    BATCH = "batch", _("Batch return")


class Outcome(models.TextChoices):
    REPAIR = "repair", _("Repair")
    EXCHANGE = "exchange", _("Exchange")
    REFUND = "refund", _("Refund return")


class Reason(models.TextChoices):
    QUALITY = "quality", _("Quality problem")
    CUSTOMER = "customer", _("Customer's reason")
    NO_REASON = "no_reason", _("No-reason return")
    CHANGE = "change", _("Customer's request to change the product")


class UnitState(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    WAITING_APPROVAL = "waiting_approval", _("Waiting for approval")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    DISPOSED = "disposed", _("Ready for work")
    IN_WORK = "in_work", _("In work")
    FINAL_INSPECTION = "final_inspection", _("Final inspection")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    READY_TO_SETTLE = "ready_to_settle", _("Ready to settle")
    DONE = "done", _("Done")
    MISSING = "missing", _("Missing (never arrived)")


class Disposition(models.TextChoices):
    REPAIR = "repair", _("Repair / rework")
    REFURBISH = "refurbish", _("Refurbish")
    SCRAP = "scrap", _("Scrap")
    REPLACE = "replace", _("Replace with a new unit")
    RETURN_AS_IS = "return_as_is", _("Return as is")
    RESALE = "resale", _("Resale to finished goods")
    INTERNAL_SALE = "internal_sale", _("Internal discounted sale")
    TEARDOWN = "teardown", _("Teardown for parts")
    SUPPLIER_CLAIM = "supplier_claim", _("Supplier claim")
    DEFECTIVE_STOCK = "defective_stock", _("To defective goods stock")
    # The customer is refunded instead of getting its unit (or a new one) back; the company keeps the unit.
    REFUND = "refund", _("Refund instead (the company keeps the unit)")


class UnitExit(models.TextChoices):
    SHIPPED_BACK = "shipped_back", _("Shipped back")
    EXCHANGED = "exchanged", _("Exchanged (kept as defective stock)")
    REFUNDED_INTO_STOCK = "refunded_into_stock", _("Refunded into stock")
    RESOLD = "resold", _("Resold from finished goods")
    SCRAPPED = "scrapped", _("Scrapped")
    TORN_DOWN = "torn_down", _("Torn down")
    SOLD = "sold", _("Sold internally")
    RETURNED_TO_SUPPLIER = "returned_to_supplier", _("Returned to the supplier")


# Ways of leaving a case: out of the company, or into company stock that is no longer the case's.
EXITS_OUT = ["shipped_back", "torn_down", "sold", "returned_to_supplier"]
EXITS_INTO_STOCK = ["exchanged", "refunded_into_stock", "resold", "scrapped"]


class WarrantyStatus(models.TextChoices):
    IN = "in", _("In warranty")
    OUT = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Unknown (not in the units registry)")


class Responsibility(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    COMPANY = "company", _("Company")
    SUPPLIER = "supplier", _("Supplier")


class Department(models.TextChoices):
    """Where inside the company the fault was made (售后返退货流程描述: 责任判定)."""

    MANUFACTURING = "manufacturing", _("Manufacturing")
    PROCESS = "process", _("Process engineering")
    DESIGN = "design", _("Design")
    PURCHASING = "purchasing", _("Purchasing / incoming material")
    LOGISTICS = "logistics", _("Logistics")


class DefectClass(models.TextChoices):
    APPEARANCE = "appearance", _("Appearance")
    FUNCTION = "function", _("Function")
    NONE = "none", _("No fault found")


class ReturnCase(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="return_cases")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.DEALER)
    customer_reference = models.CharField(_("customer's reference"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.DRAFT)
    volume_class = models.CharField(_("volume class"), max_length=10, choices=VolumeClass.choices, blank=True)
    volume_detail = models.JSONField(_("volume detail"), default=dict, blank=True)
    is_quality_incident = models.BooleanField(_("quality incident"), default=False)
    required_approvals = models.JSONField(_("approvals required"), default=list, blank=True)
    approval_round = models.PositiveIntegerField(_("submission round"), default=0)
    needs_quality_sorting = models.BooleanField(_("quality leads the sorting"), default=False)
    delivered_date = models.DateField(_("delivered to the customer on"), null=True, blank=True,
                                      help_text=_("For e-commerce no-reason windows."))
    agreed_return_date = models.DateField(_("return date agreed with the customer"), null=True, blank=True,
                                          help_text=_("出货时限: when the repaired goods go back."))
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return case")
        verbose_name_plural = _("return cases")
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "-id"]), models.Index(fields=["state", "-id"]),
                   models.Index(fields=["customer", "submitted_at"])]

    def __str__(self):
        return self.number


class ReturnLine(models.Model):
    """One line of the return note: part no., name, quantity, lot, defect; serials if tracked."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item_name = models.CharField(_("item name"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    production_lot = models.CharField(_("production lot"), max_length=60, blank=True)
    requested_outcome = models.CharField(_("requested outcome"), max_length=10, choices=Outcome.choices,
                                         default=Outcome.REPAIR)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.QUALITY)
    defect_description = models.TextField(_("defect"), blank=True)
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    window_decision = models.JSONField(_("return window decision"), default=dict, blank=True)
    exchanges_shipped = models.PositiveIntegerField(_("exchange units shipped"), default=0)
    advance_serials = models.JSONField(_("serials shipped ahead"), default=list, blank=True)
    refund_amount = models.DecimalField(_("refund amount (CNY)"), max_digits=14, decimal_places=2, null=True,
                                        blank=True)
    refund_deduction = models.DecimalField(_("deduction for missing accessories (CNY)"), max_digits=14,
                                           decimal_places=2, default=Decimal("0"))
    refunded_at = models.DateTimeField(_("refund recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["return_case_id", "line_no"]
        constraints = [models.UniqueConstraint(fields=["return_case", "line_no"], name="return_line_no_unique")]

    def __str__(self):
        return f"{self.return_case_id}/{self.line_no}"


class ReturnUnit(models.Model):
    """One physical unit: expected from the note's serials, or split from a quantity at receiving."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="units")
    line = models.ForeignKey(ReturnLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="units")
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    shipped_unit = models.ForeignKey("masterdata.ShippedUnit", verbose_name=_("registered unit"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="return_units")
    in_registry = models.BooleanField(_("found in the units registry"), default=False)
    is_extra = models.BooleanField(_("extra (not on the note)"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=UnitState.choices, default=UnitState.EXPECTED)
    warehouse = models.ForeignKey("masterdata.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    exit = models.CharField(_("left by"), max_length=30, choices=UnitExit.choices, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Warranty: decided by the system, with reasons; a manager may override with a comment.
    warranty_status = models.CharField(_("warranty"), max_length=10, choices=WarrantyStatus.choices,
                                       default=WarrantyStatus.UNKNOWN)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    warranty_reasons = models.JSONField(_("warranty reasons"), default=list, blank=True)
    warranty_override = models.JSONField(_("warranty override"), default=dict, blank=True)
    chargeable = models.BooleanField(_("chargeable"), default=False)
    # Disposition and what it waits for.
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices, blank=True)
    needs_consent = models.BooleanField(_("needs the customer's consent"), default=False)
    consent = models.JSONField(_("customer's consent"), default=dict, blank=True)
    charge_amount = models.DecimalField(_("charge (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True)
    charge_answer = models.JSONField(_("customer's answer to the charge"), default=dict, blank=True)
    final_inspections_failed = models.PositiveIntegerField(_("final inspections failed"), default=0)
    replacement_serial = models.CharField(_("replacement serial"), max_length=80, blank=True)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return unit")
        verbose_name_plural = _("return units")
        ordering = ["return_case_id", "id"]
        indexes = [models.Index(fields=["return_case", "state"]), models.Index(fields=["serial"]),
                   models.Index(fields=["shipped_unit"])]
        constraints = [
            # A unit is in exactly one warehouse, or has left by exactly one way, or has not arrived.
            models.CheckConstraint(
                condition=models.Q(state__in=["expected", "missing"], warehouse__isnull=True, exit="")
                | (~models.Q(state__in=["expected", "missing", "done"]) & models.Q(warehouse__isnull=False, exit=""))
                | models.Q(state="done", warehouse__isnull=True, exit__in=EXITS_OUT)
                | models.Q(state="done", warehouse__isnull=False, exit__in=EXITS_INTO_STOCK),
                name="return_unit_accounted_for",
            ),
            # A physical unit is on one open case at a time: from the application until it leaves.
            models.UniqueConstraint(
                fields=["product_model", "serial"],
                condition=~models.Q(serial="") & ~models.Q(state__in=["done", "missing"]),
                name="return_unit_serial_on_one_open_case",
            ),
        ]

    def __str__(self):
        return self.serial or f"#{self.pk}"


class Approval(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("After-sales service")
        VP = "vp", _("Vice president in charge (batch)")
        GM = "gm", _("General manager (quality incident)")
        RSM = "rsm", _("Regional sales manager (whole-unit replacement)")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="approvals")
    kind = models.CharField(_("approval"), max_length=10, choices=Kind.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    round = models.PositiveIntegerField(_("submission round"), default=1)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["id"]


class Inspection(models.Model):
    """One inspection of one unit (sorting at intake, or final inspection after work)."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("Intake inspection")
        FINAL = "final", _("Final inspection")

    unit = models.ForeignKey(ReturnUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="inspections")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.INTAKE)
    defect_class = models.CharField(_("defect class"), max_length=12, choices=DefectClass.choices, blank=True)
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    repairable = models.BooleanField(_("repairable"), null=True)
    responsibility = models.CharField(_("responsibility"), max_length=10, choices=Responsibility.choices, blank=True)
    responsible_department = models.CharField(_("responsible department"), max_length=20,
                                              choices=Department.choices, blank=True)
    no_fault_found = models.BooleanField(_("no fault found"), default=False)
    human_damage = models.BooleanField(_("human damage"), default=False)
    warranty_label_broken = models.BooleanField(_("warranty label broken"), default=False)
    self_repaired_or_modified = models.BooleanField(_("self-repaired or modified"), default=False)
    missing_accessories = models.CharField(_("missing accessories"), max_length=200, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    # Final inspection: the checklist as tested, one entry per item (code, name, source, passed, value).
    checklist = models.JSONField(_("checklist results"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspected by"),
                                     on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField(_("inspected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["unit_id", "id"]


class ReceivingDiscrepancy(models.Model):
    class Kind(models.TextChoices):
        SHORTAGE = "shortage", _("Shortage")
        EXTRA = "extra", _("Extra")
        UNMATCHED = "unmatched", _("No matching line (refused)")

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="discrepancies")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    line = models.ForeignKey(ReturnLine, verbose_name=_("line"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receiving difference")
        verbose_name_plural = _("receiving differences")
        ordering = ["id"]


class PackagingCondition(models.TextChoices):
    INTACT = "intact", _("Original packaging, intact")
    DAMAGED = "damaged", _("Original packaging, damaged")
    NOT_ORIGINAL = "not_original", _("Not the original packaging")
    NONE = "none", _("No packaging")


class ReceivingCheck(models.Model):
    """The receiving checklist (售后返退货流程描述 二.1, 服装返货 三.5) for one unit or one parcel."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="receiving_checks")
    unit = models.ForeignKey(ReturnUnit, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="receiving_checks")
    parcel = models.CharField(_("parcel"), max_length=40, blank=True)
    contents_match = models.BooleanField(_("contents match the packing list"), null=True)
    outer_damage = models.BooleanField(_("outer damage"), default=False)
    wiring_cut = models.BooleanField(_("wiring cut"), default=False)
    non_genuine_parts = models.BooleanField(_("non-genuine parts"), default=False)
    accessories_complete = models.BooleanField(_("accessories present"), null=True)
    packaging = models.CharField(_("packaging"), max_length=20, choices=PackagingCondition.choices, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receiving check")
        verbose_name_plural = _("receiving checks")
        ordering = ["id"]
        indexes = [models.Index(fields=["return_case", "id"])]


class ReceivedAccessory(models.Model):
    """Accessories that arrived loose, apart from their units: a receipt line of their own."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="loose_accessories")
    line = models.ForeignKey(ReturnLine, verbose_name=_("for line"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    name = models.CharField(_("accessory"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    parcel = models.CharField(_("parcel"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loose accessory received")
        verbose_name_plural = _("loose accessories received")
        ordering = ["id"]


class CustomerNotice(models.Model):
    """What the customer is told (receipt notice, charge, shipment); shown in the portal."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt notice")
        CHARGE = "charge", _("Charge for repair")
        CONSENT = "consent", _("Rework risk: consent needed")
        SHIPMENT = "shipment", _("Shipment")
        REFUND = "refund", _("Refund")
        DECISION = "decision", _("Decision on the application")
        REDISPOSED = "redisposed", _("Disposition changed")
        SCRAPPED = "scrapped", _("Unit scrapped")
        RETURN_DATE = "return_date", _("Agreed return date")
        DELIVERY = "delivery", _("Delivery date of the reworked batch")

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    content = models.JSONField(_("content"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        ordering = ["id"]


class CaseEvent(models.Model):
    """The case's timeline, append-only: who did what, when, from and to which state."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    unit_ids = models.JSONField(_("units"), default=list, blank=True)
    unit_to_state = models.CharField(_("units to"), max_length=20, blank=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["id"]
        indexes = [models.Index(fields=["return_case", "id"])]


def attachment_path(instance, filename: str) -> str:
    """returns/2026/12/<unguessable>.jpg (core/uploads.unguessable_name)."""
    from aftersales.core.uploads import unguessable_name

    return unguessable_name("returns", filename)


class Attachment(models.Model):
    """A photo or document on a case. The file is stored under an unguessable name in the verified
    kind (lib/file_kinds.py) and served only through the attachment view, never from /media/."""

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="attachments")
    line = models.ForeignKey(ReturnLine, verbose_name=_("line"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="attachments")
    unit = models.ForeignKey(ReturnUnit, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True,
                                    help_text=_("The verified kind of the content, as it is served."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]


class InternalSale(models.Model):
    """A returned unit sold at a discount inside the company (售后客退品处理规定 5.1.4.1): the price, the discount,
    the buyer (an employee or an internal department) and the date; finance reads them."""

    class BuyerKind(models.TextChoices):
        EMPLOYEE = "employee", _("Employee")
        DEPARTMENT = "department", _("Internal department")

    unit = models.OneToOneField(ReturnUnit, verbose_name=_("unit"), on_delete=models.CASCADE,
                                related_name="internal_sale")
    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="internal_sales")
    price = models.DecimalField(_("price (CNY)"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(_("discount (percent)"), max_digits=5, decimal_places=2)
    buyer_kind = models.CharField(_("buyer"), max_length=10, choices=BuyerKind.choices)
    buyer_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    buyer_department = models.CharField(_("department"), max_length=100, blank=True)
    sold_on = models.DateField(_("sold on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal sale")
        verbose_name_plural = _("internal sales")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0) & models.Q(discount_percent__gte=0)
                                   & models.Q(discount_percent__lte=100), name="internal_sale_amounts"),
            models.CheckConstraint(condition=models.Q(buyer_kind="employee", buyer_user__isnull=False)
                                   | models.Q(buyer_kind="department", buyer_user__isnull=True)
                                   & ~models.Q(buyer_department=""), name="internal_sale_buyer"),
        ]


class Replenishment(models.Model):
    """补货指令 (客退品处理流程): units that cannot be reworked, and that the customer is still to get goods for,
    are replaced from production; planning receives the instruction with the quantity and due date."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    return_case = models.ForeignKey(ReturnCase, verbose_name=_("return case"), on_delete=models.CASCADE,
                                    related_name="replenishments")
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_ids = models.JSONField(_("units"), default=list, blank=True)
    due_date = models.DateField(_("due"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("replenishment instruction")
        verbose_name_plural = _("replenishment instructions")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="replenishment_quantity")]
