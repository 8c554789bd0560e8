"""The service desk: every call, letter and complaint registered as a service request (售后服务单), answered
in time, decided (问题评估) along one real path, resolved, closed and asked about (满意度调查表)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.fields import LocalDayField


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    API = "api", _("API gateway")


class Category(models.TextChoices):
    PRODUCT_COMPLAINT = "product_complaint", _("Product complaint")
    REPAIR = "repair", _("Repair request")
    INSTALLATION = "installation", _("Installation and commissioning")
    CONSULTATION = "consultation", _("Consultation")
    VISIT = "visit", _("Visit request")
    PARTS = "parts", _("Parts request")
    STAFF_COMPLAINT = "staff_complaint", _("Complaint about service staff")


# Categories about a fault of the unit: the repeat-repair warning compares these.
FAULT_CATEGORIES = (Category.PRODUCT_COMPLAINT, Category.REPAIR, Category.PARTS)
ON_SITE_CATEGORIES = (Category.INSTALLATION, Category.VISIT)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class RequestState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANSWERED = "answered", _("Answered")
    DECIDED = "decided", _("Decided")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class DecisionKind(models.TextChoices):
    REMOTE = "remote", _("Answered remotely")
    PARTS = "parts", _("Parts sent")
    TECHNICIAN = "technician", _("Technician dispatched")
    RETURN = "return", _("Return to the factory")
    SUPPLIER = "supplier", _("Passed to a supplier")
    QUALITY = "quality", _("Escalated as a major quality problem")




class ComplaintCause(models.Model):
    """A branch of the cause tree complaints are classified on (master data): product design, manufacturing,
    incoming material, transport, installation, usage, service conduct, and what a company adds below them."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey("self", verbose_name=_("parent cause"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="children")
    improvement = models.TextField(_("improvement measure"), max_length=5000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint cause")
        verbose_name_plural = _("complaint causes")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ConductVerdict(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class ServiceRequest(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="service_requests")
    contact_name = models.CharField(_("contact"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    product_model = models.ForeignKey("masterdata.ProductModel", verbose_name=_("product model"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    serial = models.CharField(_("serial number"), max_length=80, blank=True, db_index=True)
    shipped_unit = models.ForeignKey("masterdata.ShippedUnit", verbose_name=_("registered unit"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    warranty_status = models.CharField(_("warranty"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    description = models.TextField(_("description"), max_length=5000)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat of"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+",
                                  help_text=_("The same unit's earlier request for the same kind of fault."))
    state = models.CharField(_("state"), max_length=12, choices=RequestState.choices, default=RequestState.REGISTERED)
    cause = models.ForeignKey(ComplaintCause, verbose_name=_("cause"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="requests")
    result = models.TextField(_("result told to the customer"), max_length=5000, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    escalated_to_manager = models.BooleanField(_("escalated to the manager"), default=False)
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="service_requests")
    return_case_state = models.CharField(_("return case state"), max_length=20, blank=True)
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member complained about"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     help_text=_("A complaint about service staff: the person it names."))
    conduct_verdict = models.CharField(_("verdict on the complaint"), max_length=10, choices=ConductVerdict.choices,
                                       blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"),
                                   on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # China's day of created_at, written with it: the complaint file counts its days and months from indexes.
    created_on = LocalDayField(_("registered on"), of="created_at")
    answered_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "id"], name="servicerequest_inbox"),
                   models.Index(fields=["customer", "id"], name="servicerequest_customer"),
                   # The inbox's "new" tab: registered since a moment.
                   models.Index(fields=["state", "created_at"], name="servicerequest_state_created"),
                   # The complaint file's frequencies by day and month, cause, customer and model, over any
                   # period, each counted from one index alone (complaints.py ledger and pareto): each holds every
                   # column the ledger's filters read.
                   models.Index(fields=["created_on", "category", "cause"], name="servicerequest_ledger_day"),
                   models.Index(fields=["cause", "category", "created_on"], name="servicerequest_cause"),
                   models.Index(fields=["customer", "category", "cause", "created_on"],
                                name="servicerequest_customer_cause"),
                   models.Index(fields=["product_model", "category", "cause", "created_on"],
                                name="servicerequest_model_cause")]

    def __str__(self):
        return self.number


class ContactEntry(models.Model):
    """One contact with the customer: who, when, by which channel, what was said (来电来函登记)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                           related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    inbound = models.BooleanField(_("from the customer"), default=False)
    content = models.TextField(_("what was said"), max_length=5000)

    class Meta:
        ordering = ["id"]


class RequestEvent(models.Model):
    """The timeline: every step of the request, old state to new."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                              related_name="+")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]


class Decision(models.Model):
    """How the desk helps (问题评估): one per handling round of a request (a reopened request is decided again)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("decision"), max_length=12, choices=DecisionKind.choices)
    solution = models.TextField(_("solution"), max_length=5000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "round"], name="servicedesk_one_decision_per_round")]


class ReferralState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SupplierReferral(models.Model):
    """A purchased product or part's problem passed to its supplier through purchasing (外调产品/配套件)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="supplier_referrals")
    supplier = models.CharField(_("supplier"), max_length=120)
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    problem = models.TextField(_("problem"), max_length=5000)
    state = models.CharField(_("state"), max_length=10, choices=ReferralState.choices, default=ReferralState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class QualityEscalation(models.Model):
    """A major quality problem (重大质量问题) handed to quality and engineering."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="quality_escalations")
    problem = models.TextField(_("problem"), max_length=5000)
    state = models.CharField(_("state"), max_length=10, choices=ReferralState.choices, default=ReferralState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class ShipmentState(models.TextChoices):
    AWAITING_QUOTE = "awaiting_quote", _("Waiting for the customer's quote")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


class PartsShipment(models.Model):
    """Parts sent from stock for the customer's own repair (发配件维修): free in warranty, shipped at once; out
    of warranty charged through a quote (报价), and shipped once the customer accepted it (and paid, per
    policy). The stock leaves when the parts ship."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="parts_shipments")
    state = models.CharField(_("state"), max_length=14, choices=ShipmentState.choices, default=ShipmentState.SHIPPED)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=80, blank=True)
    chargeable = models.BooleanField(_("chargeable"), default=False,
                                     help_text=_("Out of warranty: the parts are charged through a quote."))
    lines = models.JSONField(_("parts"), default=list)  # [{"part": code, "quantity": n}]
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]


class Survey(models.Model):
    """The satisfaction survey (满意度调查表) of one closing of a request or of a return case: answered once.
    It keeps who handled what it asks about (the technician and their department) for the statistics."""

    class Followup(models.TextChoices):
        NONE = "none", _("Nothing more")
        REOPEN = "reopen", _("Handle it again")
        COMPLAIN = "complain", _("Complain to the manager")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="surveys")
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.CASCADE,
                                    null=True, blank=True, related_name="+")
    customer = models.ForeignKey("masterdata.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    department = models.CharField(_("department"), max_length=20, blank=True,
                                  help_text=_("The role the handler worked in (service, field technician, repair)."))
    complaint = models.ForeignKey(ServiceRequest, verbose_name=_("complaint raised"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  help_text=_("The complaint request a low score on a closed return case raised."))
    closing = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    response = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    fix_quality = models.PositiveSmallIntegerField(_("quality of the fix"), null=True, blank=True)
    overall = models.PositiveSmallIntegerField(_("overall"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    followup = models.CharField(_("follow-up"), max_length=10, choices=Followup.choices, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "closing"], name="servicedesk_one_survey_per_closing"),
            models.UniqueConstraint(fields=["return_case", "closing"], name="servicedesk_one_survey_per_case_closing"),
            models.CheckConstraint(condition=models.Q(request__isnull=False, return_case__isnull=True)
                                   | models.Q(request__isnull=True, return_case__isnull=False),
                                   name="servicedesk_survey_of_a_request_or_a_case"),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered")]

    @property
    def subject_number(self) -> str:
        """The number of what the survey asks about: the request's, or the return case's."""
        return self.request.number if self.request_id else self.return_case.number


class ConductRecord(models.Model):
    """A verified complaint about a service staff member's conduct (服务人员表现不良), recorded against the
    person: what the penalty ledger reads. Written once, by the service manager's verification."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                               related_name="conduct_records")
    request = models.OneToOneField(ServiceRequest, verbose_name=_("service request"), on_delete=models.PROTECT,
                                   related_name="conduct_record")
    on = models.DateField(_("date"))
    finding = models.TextField(_("finding"), max_length=5000)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"),
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conduct record")
        verbose_name_plural = _("conduct records")
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "id"], name="conductrecord_person")]


def photo_path(instance, filename: str) -> str:
    """servicedesk/2026/12/<unguessable>.jpg (core/uploads.unguessable_name)."""
    from aftersales.core.uploads import unguessable_name

    return unguessable_name("servicedesk", filename)


class RequestPhoto(models.Model):
    """A photo of the problem on a request, checked by its content and re-encoded (lib/file_kinds.py), stored
    under an unguessable name and served only through the photo view, never from /media/."""

    request = models.ForeignKey(ServiceRequest, verbose_name=_("service request"), on_delete=models.CASCADE,
                                related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]
