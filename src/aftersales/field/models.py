"""Field service (售后服务工作流程及管理规定, 售后服务管理规定及工作流程 四、五): technicians sent to a customer's site by
the service headquarters (服务总部), their service reports (售后服务报告单), van stock, and the penalty ledger the
manual's conduct rules fill (考核)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkKind(models.TextChoices):
    REPAIR = "repair", _("Repair on site")
    INSTALLATION = "installation", _("Installation and commissioning")
    TRAINING = "training", _("Customer training")
    VISIT = "visit", _("Key-customer visit")
    INSPECTION = "inspection", _("Inspection")


class OrderState(models.TextChoices):
    OPEN = "open", _("Waiting for dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    ON_SITE = "on_site", _("On site")
    REPORTED = "reported", _("Report submitted")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FieldOrder(models.Model):
    """A field service order (派工单): from a service request, or direct (installation per contract, a planned
    visit); dispatched to a technician who accepts it, checks in on site, files the report and checks out."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    request = models.ForeignKey("servicedesk.ServiceRequest", verbose_name=_("service request"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="field_orders")
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 null=True, related_name="field_orders")
    work = models.CharField(_("work"), max_length=20, choices=WorkKind.choices, default=WorkKind.REPAIR)
    site_address = models.CharField(_("site address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    serial = models.CharField(_("serial number"), max_length=80, blank=True, db_index=True)
    description = models.TextField(_("work to do"), max_length=5000, blank=True)
    visit_plan = models.ForeignKey("VisitPlan", verbose_name=_("visit plan"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="orders")
    contract_covered = models.BooleanField(_("covered by the contract"), default=False,
                                           help_text=_("Installation guidance the sales contract includes: not "
                                                       "charged, and left out of the monthly statistics."))
    required_arrival = models.DateTimeField(_("customer's required arrival"), null=True, blank=True)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="field_orders")
    state = models.CharField(_("state"), max_length=12, choices=OrderState.choices, default=OrderState.OPEN)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat repair of"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+",
                                  help_text=_("The earlier order on the same unit for the same kind of fault."))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    check_in_longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    arrived_late = models.BooleanField(_("arrived late"), null=True, blank=True)
    call_confirmed_at = models.DateTimeField(_("call to headquarters confirmed at"), null=True, blank=True)
    call_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("call confirmed by"),
                                          on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    left_without_call = models.BooleanField(_("left without calling headquarters"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("field service order")
        verbose_name_plural = _("field service orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "required_arrival"], name="fieldorder_board"),
                   # The board's page: the open orders, soonest required arrival first (nulls last), read in
                   # index order up to the page, not sorted whole.
                   models.Index(fields=["required_arrival", "id"], name="fieldorder_open_by_arrival",
                                condition=models.Q(state__in=["open", "dispatched", "accepted", "on_site",
                                                              "reported"])),
                   models.Index(fields=["technician", "state"], name="fieldorder_technician")]

    def __str__(self):
        return self.number


class TimelineEntry(models.Model):
    """One step of a record's timeline (the machine's history row): what, by whom, when, from and to which state."""

    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                              related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]


class OrderEvent(TimelineEntry):
    """The order's timeline."""

    order = models.ForeignKey(FieldOrder, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        pass


class ServiceReport(models.Model):
    """The service report (售后服务报告单): kept as a draft while the technician fills it on the phone, submitted
    once complete, returned by headquarters when it is not."""

    order = models.OneToOneField(FieldOrder, on_delete=models.CASCADE, related_name="report")
    fault_cause = models.TextField(_("fault cause"), max_length=5000, blank=True)
    solution = models.TextField(_("solution"), max_length=5000, blank=True)
    hours = models.DecimalField(_("hours on site"), max_digits=5, decimal_places=1, null=True, blank=True)
    customer_opinion = models.TextField(_("customer's opinion"), max_length=2000, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=80, blank=True)
    signature = models.BinaryField(_("customer's signature (PNG)"), max_length=300_000, null=True, blank=True)
    people = models.PositiveSmallIntegerField(_("people sent"), default=1,
                                              help_text=_("Technicians on the job: the person-times of the statistics."))
    days_on_site = models.DecimalField(_("days on site"), max_digits=5, decimal_places=1, null=True, blank=True,
                                       help_text=_("People × days are the person-days of the statistics."))
    trained_people = models.JSONField(_("people trained"), default=list, blank=True)
    training_topics = models.TextField(_("training topics"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    times_returned = models.PositiveSmallIntegerField(_("times returned as incomplete"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")


class ReportPart(models.Model):
    """A part replaced on site, out of the technician's van stock (the move is written when the report is
    submitted)."""

    report = models.ForeignKey(ServiceReport, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    serial = models.CharField(_("serial number"), max_length=80, blank=True)

    class Meta:
        ordering = ["id"]


class TechnicianLeave(models.Model):
    """A technician's leave (the board shows them unavailable those days)."""

    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.CASCADE,
                                   related_name="field_leave")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")),
                                              name="technician_leave_days_in_order")]
        indexes = [models.Index(fields=["last_day", "first_day"], name="technicianleave_days")]


class PenaltyRule(models.TextChoices):
    """The manual's rules (售后服务管理规定 四); the first five have fixed amounts (policies), the others are decided."""

    LATE_ON_SITE = "late_on_site", _("Late on site")
    LEFT_WITHOUT_CALLING = "left_without_calling", _("Left the site without calling headquarters")
    INCOMPLETE_REPORT = "incomplete_report", _("Incomplete service report")
    PHONE_OFF = "phone_off", _("Phone off between 8:00 and 22:00")
    IGNORED_DISPATCH = "ignored_dispatch", _("Ignored a dispatch from headquarters")
    CONDUCT = "conduct", _("Conduct verified at the service desk")
    REPEAT_REPAIR = "repeat_repair", _("Repeat repair for personal reasons")


class Sanction(models.TextChoices):
    NONE = "", _("None")
    DEMERIT = "demerit", _("Demerit (记过)")
    MAJOR_DEMERIT = "major_demerit", _("Major demerit (记大过)")
    DISMISSAL = "dismissal", _("Dismissal (辞退)")


class PenaltyState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONTESTED = "contested", _("Contested")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Penalty(models.Model):
    """An entry of a technician's penalty ledger: proposed by the system from what it saw on an order, or recorded
    by the service manager with evidence; the technician may contest it; the manager confirms or withdraws it."""

    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="penalties")
    rule = models.CharField(_("rule"), max_length=30, choices=PenaltyRule.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=9, decimal_places=2)
    sanction = models.CharField(_("sanction"), max_length=20, choices=Sanction.choices, blank=True)
    clause = models.CharField(_("manual clause"), max_length=80)
    order = models.ForeignKey(FieldOrder, verbose_name=_("field service order"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="penalties")
    conduct_record = models.ForeignKey("servicedesk.ConductRecord", verbose_name=_("conduct record"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    occurred_on = models.DateField(_("date"))
    description = models.TextField(_("what happened"), max_length=5000)
    evidence = models.TextField(_("evidence"), max_length=5000, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=PenaltyState.choices, default=PenaltyState.PROPOSED)
    contest_note = models.TextField(_("technician's objection"), max_length=5000, blank=True)
    decision_note = models.TextField(_("manager's decision"), max_length=5000, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text=_("Empty when the system proposed it from what it saw."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        ordering = ["-id"]
        indexes = [models.Index(fields=["technician", "occurred_on"], name="penalty_technician_month")]
        constraints = [
            # The system proposes a rule once per order (a report returned twice is two entries): a step replayed
            # does not fine twice.
            models.UniqueConstraint(fields=["order", "technician", "rule"], condition=models.Q(proposed_by__isnull=True)
                                    & ~models.Q(rule="incomplete_report"),
                                    name="penalty_once_per_order_rule"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="penalty_amount_not_negative"),
        ]


class PenaltyEvent(TimelineEntry):
    """The penalty's timeline."""

    penalty = models.ForeignKey(Penalty, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        pass


class ClaimKind(models.TextChoices):
    ADVANCE = "advance", _("Travel advance (借支)")
    CLAIM = "claim", _("Travel expense claim (差旅费报销)")


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved by the service manager")
    PAID = "paid", _("Paid by finance")
    REJECTED = "rejected", _("Rejected")


class ExpenseClaim(models.Model):
    """An advance asked before a trip, or the trip's expense claim (售后服务请款, 差旅费报销), which settles the
    advance it names: approved by the service manager, then paid by finance."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ClaimKind.choices)
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="expense_claims")
    advance = models.OneToOneField("self", verbose_name=_("advance settled"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="settled_by")
    orders = models.ManyToManyField(FieldOrder, verbose_name=_("field service orders of the trip"), blank=True,
                                    related_name="expense_claims")
    trip_from = models.DateField(_("trip from"))
    trip_to = models.DateField(_("trip to"))
    places = models.CharField(_("places of the trip"), max_length=300, blank=True,
                              help_text=_("The towns the trip went to, besides the orders' sites."))
    advance_amount = models.DecimalField(_("advance asked (yuan)"), max_digits=12, decimal_places=2, default=0)
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.DRAFT)
    decision_note = models.TextField(_("decision"), max_length=2000, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(trip_to__gte=models.F("trip_from")),
                                              name="expense_claim_trip_in_order")]


class ExpenseCategory(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals allowance")
    MATERIALS = "materials", _("Materials")
    PHONE = "phone_allowance", _("Phone allowance on trips (出差电话费补贴)")
    OTHER = "other", _("Other")


class ExpenseLine(models.Model):
    """A line of a claim: its receipt's amount and the place the receipt is from (出差的票据与出差地应相符: flagged
    when no site of the trip matches); a phone allowance a confirmed phone-off penalty withholds."""

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    place = models.CharField(_("place of the receipt"), max_length=120, blank=True)
    receipt_on = models.DateField(_("receipt date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    place_mismatch = models.BooleanField(_("receipt not from the trip's places"), default=False)
    outside_trip = models.BooleanField(_("receipt dated outside the trip"), default=False)
    withheld = models.BooleanField(_("withheld by a confirmed phone-off penalty"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="expense_line_not_negative")]


class ClaimEvent(TimelineEntry):
    """The claim's timeline."""

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(TimelineEntry.Meta):
        pass


class OrderPart(models.Model):
    """A part the technician takes on the trip (planned at dispatch): the open orders' parts are the demand of the
    spare-parts plan (售后配件生产计划)."""

    order = models.ForeignKey(FieldOrder, on_delete=models.CASCADE, related_name="planned_parts")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "part"], name="order_part_once")]


class VanIssue(models.Model):
    """Parts issued to a technician's van stock (用户服务售后配件发货 when sent to them): the document its stock moves
    name, with the carrier and tracking number when the parts travel to the technician."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="van_issues")
    order = models.ForeignKey(FieldOrder, verbose_name=_("field service order"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="van_issues")
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=80, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class VisitPlan(models.Model):
    """A key customer's regular visits (定期走访): how often, by whom; each visit is a field order of work `visit`,
    and its check-out moves the next visit on."""

    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="visit_plans")
    every_days = models.PositiveSmallIntegerField(_("every (days)"))
    next_due = models.DateField(_("next visit due"))
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    site_address = models.CharField(_("site address"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["next_due", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(every_days__gte=1), name="visit_plan_every_day_or_more")]


class FeedbackTopic(models.TextChoices):
    USAGE = "usage", _("How the products are used")
    DESIGN = "design", _("Design")
    ASSEMBLY = "assembly", _("Assembly")
    PROCESS = "process", _("Process")
    OTHER = "other", _("Other")


class Feedback(models.Model):
    """What a key customer said on a visit, routed to engineering, who answers it."""

    order = models.ForeignKey(FieldOrder, verbose_name=_("field service order"), on_delete=models.PROTECT,
                              related_name="feedback")
    topic = models.CharField(_("topic"), max_length=20, choices=FeedbackTopic.choices)
    text = models.TextField(_("what the customer said"), max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    answer = models.TextField(_("engineering's answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        ordering = ["id"]
        indexes = [models.Index(fields=["answered_at", "id"], name="feedback_open")]


def photo_path(instance, filename: str) -> str:
    """field/2026/12/<unguessable>.jpg (core/uploads.unguessable_name)."""
    from aftersales.core.uploads import unguessable_name

    return unguessable_name("field", filename)


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before the work")
    AFTER = "after", _("After the work")
    RECEIPT = "receipt", _("Receipt")


class FieldPhoto(models.Model):
    """A photo on a service report (before and after the work) or a receipt on an expense claim: checked by its
    content and re-encoded (lib/file_kinds.py), stored under an unguessable name, served only to the record's
    readers."""

    order = models.ForeignKey(FieldOrder, verbose_name=_("field service order"), on_delete=models.CASCADE,
                              null=True, blank=True, related_name="photos")
    claim = models.ForeignKey(ExpenseClaim, verbose_name=_("expense claim"), on_delete=models.CASCADE, null=True,
                              blank=True, related_name="receipts")
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(order__isnull=False, claim__isnull=True) | models.Q(order__isnull=True,
                                                                                   claim__isnull=False),
            name="field_photo_of_one_record")]
