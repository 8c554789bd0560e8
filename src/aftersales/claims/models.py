"""Supplier claims (供应商索赔, 售后服务工作流程及管理规定 三.8): what purchasing claims from a supplier for
units and parts it answers for, with the evidence, the amount claimed, the supplier's answer and the
amount recovered."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SENT = "sent", _("Sent to the supplier")
    ANSWERED = "answered", _("Answered by the supplier")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class SupplierAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    REFUSED = "refused", _("Refused")


class SupplierClaim(models.Model):
    number = models.CharField(_("claim number"), max_length=20, unique=True)
    supplier = models.ForeignKey("masterdata.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="claims")
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="supplier_claims")
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.DRAFTED)
    description = models.TextField(_("what is claimed"))
    amount_claimed = models.DecimalField(_("amount claimed (CNY)"), max_digits=14, decimal_places=2)
    answer = models.CharField(_("supplier's answer"), max_length=10, choices=SupplierAnswer.choices, blank=True)
    answer_text = models.TextField(_("supplier's answer in its words"), blank=True)
    amount_recovered = models.DecimalField(_("amount recovered (CNY)"), max_digits=14, decimal_places=2,
                                           default=Decimal("0"))
    attachments = models.ManyToManyField("returns.Attachment", verbose_name=_("evidence"), blank=True,
                                         related_name="supplier_claims")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("supplier claim")
        verbose_name_plural = _("supplier claims")
        ordering = ["-id"]
        constraints = [
            # A claim drafted by itself may lack its amount until purchasing sets it (it is sent only with one).
            models.CheckConstraint(condition=models.Q(amount_claimed__gt=0)
                                   | models.Q(state="drafted", amount_claimed=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=models.Q(amount_recovered__gte=0), name="claim_recovered_not_negative"),
        ]

    def __str__(self):
        return self.number


class ClaimItem(models.Model):
    """A unit of a return case, or a part (with its quantity), claimed for."""

    claim = models.ForeignKey(SupplierClaim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey("returns.ReturnUnit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    part = models.ForeignKey("masterdata.Part", verbose_name=_("part"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("claimed item")
        verbose_name_plural = _("claimed items")
        ordering = ["claim_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit__isnull=False) | models.Q(part__isnull=False),
                                   name="claim_item_unit_or_part"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="claim_item_quantity_positive"),
        ]


class CompensationForm(models.TextChoices):
    CREDIT = "credit", _("Credit against the customer's account")
    CASH = "cash", _("Cash payment")
    GOODS = "goods", _("Goods")


class CompensationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SETTLED = "settled", _("Settled by finance")


class Compensation(models.Model):
    """Compensation agreed with a customer where the company is responsible (客退返工品处理流程: 商议赔偿事宜):
    proposed by service, approved by a manager, settled and seen by finance."""

    number = models.CharField(_("compensation number"), max_length=20, unique=True)
    return_case = models.ForeignKey("returns.ReturnCase", verbose_name=_("return case"), on_delete=models.PROTECT,
                                    related_name="compensations")
    state = models.CharField(_("state"), max_length=10, choices=CompensationState.choices,
                             default=CompensationState.PROPOSED)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    form = models.CharField(_("form"), max_length=10, choices=CompensationForm.choices)
    goods = models.CharField(_("goods given"), max_length=500, blank=True)
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("settled by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settlement_reference = models.CharField(_("settlement reference"), max_length=100, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="compensation_amount_positive")]

    def __str__(self):
        return self.number
