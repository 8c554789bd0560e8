"""How the work gets done and what it costs: rework orders with their first-article check,
repair records with parts and hours, material requests, quotes, delays, scrap applications,
teardown and outsourced refurbishment (售后客返品管理流程 5.2.4–5.4, 客退返工品处理流程)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


MAJOR_ANOMALY_LABELS = {
    "design": _("Design"), "process": _("Process"), "incoming_material": _("Incoming material"),
    "workmanship": _("Workmanship"),
}


class OrderKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REWORK = "rework", _("Rework")
    REFURBISH = "refurbish", _("Refurbish")


class OrderState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FIRST_ARTICLE = "first_article", _("First article (the rest waits)")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RepairOrder(models.Model):
    """A rework order (重工单 / 返工品生产单): which units, the method, due date, the team."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    related_name="repair_orders")
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, default=OrderKind.REPAIR)
    method = models.TextField(_("rework method"), blank=True)
    findings = models.TextField(_("engineering findings"), blank=True)
    team = models.CharField(_("repair team"), max_length=60, blank=True)
    state = models.CharField(_("state"), max_length=15, choices=OrderState.choices, default=OrderState.PLANNED)
    is_batch = models.BooleanField(_("batch order"), default=False)
    first_article_unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("first article"),
                                           on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    delay_working_days = models.PositiveIntegerField(_("delay (working days)"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("rework order")
        verbose_name_plural = _("rework orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self):
        return self.number


class OrderUnit(models.Model):
    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="order_units")
    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("unit of an order")
        verbose_name_plural = _("units of orders")
        constraints = [models.UniqueConstraint(fields=["order", "unit"], name="order_unit_once")]


class RepairPlan(models.Model):
    """Repair's answer to the instruction: the expected finish (policy: within 8 hours)."""

    order = models.OneToOneField(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="plan")
    expected_finish = models.DateTimeField(_("expected finish"))
    note = models.TextField(_("note"), blank=True)
    beyond_due = models.BooleanField(_("finishes after the due date"), default=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"),
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("repair plan")
        verbose_name_plural = _("repair plans")


class FirstArticleCheck(models.Model):
    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE,
                              related_name="first_article_checks")
    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"))
    notes = models.TextField(_("notes"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("first-article check")
        verbose_name_plural = _("first-article checks")
        ordering = ["id"]


class RepairRecord(models.Model):
    """What was done to one unit: fault, cause, action, hours, revisions before and after."""

    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="records")
    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="repair_records")
    fault_found = models.TextField(_("fault found"))
    cause = models.TextField(_("cause"), blank=True)
    action = models.TextField(_("action taken"))
    labour_hours = models.DecimalField(_("labour hours"), max_digits=8, decimal_places=2, default=Decimal("0"))
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="+")
    hardware_before = models.CharField(_("hardware revision before"), max_length=40, blank=True)
    hardware_after = models.CharField(_("hardware revision after"), max_length=40, blank=True)
    software_before = models.CharField(_("software revision before"), max_length=40, blank=True)
    software_after = models.CharField(_("software revision after"), max_length=40, blank=True)
    is_anomaly = models.BooleanField(_("anomaly"), default=False)
    major_anomaly = models.CharField(_("major anomaly"), max_length=20, blank=True,
                                     help_text=_("design, process, incoming_material or workmanship"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("repair record")
        verbose_name_plural = _("repair records")
        ordering = ["id"]
        indexes = [models.Index(fields=["recorded_at"])]


class PartUse(models.Model):
    """Parts consumed on an order (and the unit, when known), at the cost of the day."""

    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="parts_used")
    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost (CNY)"), max_digits=14, decimal_places=2)
    # A unit's use of material already issued to the order: its cost is counted with the issue.
    from_issue = models.BooleanField(_("from the order's issued material"), default=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["id"]


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received")
    ISSUED = "issued", _("Issued")
    RELEASED = "released", _("Released (its order was cancelled)")


class MaterialRequest(models.Model):
    """售后物料申请单: parts and quantities for an order; purchasing approves and records arrival."""

    number = models.CharField(_("request number"), max_length=20, unique=True)
    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="material_requests")
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.SUBMITTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    need_by = models.DateField(_("needed by"), null=True, blank=True,
                               help_text=_("The date repair needs the material on, for purchasing."))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("material request")
        verbose_name_plural = _("material requests")
        ordering = ["-id"]


class MaterialRequestLine(models.Model):
    request = models.ForeignKey(MaterialRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="lines")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    received = models.PositiveIntegerField(_("received"), default=0)
    issued = models.PositiveIntegerField(_("issued"), default=0)

    class Meta:
        verbose_name = _("material request line")
        verbose_name_plural = _("material request lines")
        ordering = ["id"]


class DelayReason(models.TextChoices):
    MATERIAL = "material", _("Missing material")
    TECHNICAL = "technical", _("Technical reasons")


class Delay(models.Model):
    """A delay of an order with its reason and the written notice to service (5.4.3)."""

    order = models.ForeignKey(RepairOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="delays")
    reason = models.CharField(_("reason"), max_length=10, choices=DelayReason.choices)
    explanation = models.TextField(_("explanation"))
    working_days = models.PositiveIntegerField(_("working days"))
    notice = models.TextField(_("written notice to service"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by (beyond the limit)"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_before = models.DateTimeField(_("due before"))
    due_after = models.DateTimeField(_("due after"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delay")
        verbose_name_plural = _("delays")
        ordering = ["id"]


class QuoteState(models.TextChoices):
    SENT = "sent", _("Sent to the customer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Replaced by a revision")


class Quote(models.Model):
    """收费清单: parts at cost plus markup, labour at the rate, transport; per unit of the quote. It charges either
    units of a return case, or a service request's parts shipment out of warranty (发配件维修: the parts as one
    lot, no labour)."""

    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.CASCADE,
                                    null=True, blank=True, related_name="quotes")
    parts_shipment = models.ForeignKey("servicedesk.PartsShipment", verbose_name=_("parts shipment"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="quotes")
    revision = models.PositiveIntegerField(_("revision"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=QuoteState.choices, default=QuoteState.SENT)
    unit_ids = models.JSONField(_("units"), default=list)
    lines = models.JSONField(_("lines"), default=list)
    parts_total = models.DecimalField(_("parts"), max_digits=14, decimal_places=2, default=Decimal("0"))
    labour_total = models.DecimalField(_("labour"), max_digits=14, decimal_places=2, default=Decimal("0"))
    transport = models.DecimalField(_("transport"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_per_unit = models.DecimalField(_("total per unit"), max_digits=14, decimal_places=2)
    expected_return_date = models.DateField(_("expected return date"), null=True, blank=True)
    reason = models.TextField(_("reason for the revision"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("quoted by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    paid_amount = models.DecimalField(_("paid (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("payment recorded by"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    @property
    def amount_due(self) -> Decimal:
        """Per unit for a case's units; a parts shipment is one lot."""
        return self.total_per_unit * (len(self.unit_ids) if self.return_case_id else 1)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(return_case__isnull=False, parts_shipment__isnull=True)
            | models.Q(return_case__isnull=True, parts_shipment__isnull=False),
            name="repairs_quote_charges_one_thing")]


class ScrapState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ScrapApplication(models.Model):
    """报废申请单: unrepairable units and scrapped materials, by part or by weight per scrap class."""

    number = models.CharField(_("application number"), max_length=20, unique=True)
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="scrap_applications")
    state = models.CharField(_("state"), max_length=10, choices=ScrapState.choices, default=ScrapState.SUBMITTED)
    unit_ids = models.JSONField(_("units"), default=list, blank=True)
    parts = models.JSONField(_("parts"), default=list, blank=True)  # [{"part": code, "quantity": n}]
    weights_kg = models.JSONField(_("weights by scrap class (kg)"), default=dict, blank=True)
    reason = models.TextField(_("reason"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
                                   related_name="+")
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scrap application")
        verbose_name_plural = _("scrap applications")
        ordering = ["-id"]


class PartOutcome(models.TextChoices):
    GOOD = "good", _("Good: to raw-material stock after QC")
    COSMETIC = "cosmetic", _("Cosmetic defect: outsourced refurbishment")
    SCRAP = "scrap", _("Scrap")


class TeardownPart(models.Model):
    """A part taken from a torn-down unit (拆机件) and where it went."""

    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("torn-down unit"), on_delete=models.PROTECT,
                             related_name="teardown_parts")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=PartOutcome.choices)
    # A good part enters raw-material stock only when quality passes it (售后返退货流程描述 三.1).
    qc_passed = models.BooleanField(_("passed by quality"), null=True)
    qc_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by (quality)"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    qc_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    refurbish_order = models.ForeignKey("RefurbishOrder", verbose_name=_("outsourced refurbishment"),
                                        on_delete=models.PROTECT, null=True, blank=True, related_name="parts")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("teardown part")
        verbose_name_plural = _("teardown parts")
        ordering = ["id"]


class RefurbishState(models.TextChoices):
    SENT = "sent", _("At the supplier")
    RETURNED = "returned", _("Returned and checked")


class RefurbishOrder(models.Model):
    """外协加工单: cosmetic-only parts refurbished by a supplier, back to stock after QC."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    supplier = models.CharField(_("supplier"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=RefurbishState.choices, default=RefurbishState.SENT)
    cost = models.DecimalField(_("cost (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    passed_qc = models.PositiveIntegerField(_("passed QC"), default=0)
    failed_qc = models.PositiveIntegerField(_("failed QC"), default=0)

    class Meta:
        verbose_name = _("outsourced refurbishment order")
        verbose_name_plural = _("outsourced refurbishment orders")
        ordering = ["-id"]
