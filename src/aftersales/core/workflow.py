"""The mechanism every state machine runs on (after django-oscar's plain tables and Healthchecks' locked
status changes): a table of transitions, one writer, the allowed actions, the generated documentation.

An app declares its machine: the model, its states, and its transitions (the action, the states it
starts from, the states it may lead to, the roles that may take it, pure guards that return an error
code or None). `Machine.apply` is then the one writer of the state: it locks the row, checks the
table, the actor's roles and the guards, runs the action's handler (which changes the record, moves
stock, writes its own records), writes the new state and one history row, all in the caller's one
transaction. `Machine.allowed` gives the API's allowed actions and the pages' buttons from the same
table, and `aftersales workflow_doc` documents every registered machine (docs/workflow.md).

The return case runs its own writer (`returns.services.actions.apply_action`: unit-level actions,
versions, a state derived from its units) on the same pieces: Transition, GuardContext, the role and
guard checks and the documentation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import AppError, Conflict, NotFound, PermissionDenied, status_of
from .roles import roles_of

RECORD = "record"


@dataclass
class GuardContext:
    """What a guard sees: the locked record, the actor and the roles they act in, for unit-level
    actions the units acted on, the action's name, and a cache shared by one request's checks."""

    record: object
    actor: object
    roles: set[str]
    units: list = field(default_factory=list)
    action: str = ""
    cache: dict = field(default_factory=dict)

    @property
    def case(self):  # the return case's guards read ctx.case
        return self.record


Guard = Callable[[GuardContext], str | None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: object
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # one state, the states the handler may route to, or () for "the same state"
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    level: str = RECORD  # the return case has case- and unit-level actions


def roles(names: str) -> frozenset[str]:
    return frozenset(names.split())


class GuardFailed(AppError):
    """A guard said no; its status comes from the code (core/errors.CODES): 409 unless it says otherwise."""

    status = 409

    def __init__(self, message=None, *, code: str, details=None):
        super().__init__(message, code=code, details=details)
        self.status = status_of(code, default=409)


def check_roles(spec: Transition, held: set[str]) -> None:
    if not held & spec.roles:
        raise PermissionDenied(_("Your roles do not allow “%(action)s”.") % {"action": spec.label})


def first_failing(spec: Transition, ctx: GuardContext) -> str | None:
    for guard in spec.guards:
        code = guard(ctx)
        if code is not None:
            return code
    return None


def check_guards(spec: Transition, ctx: GuardContext, messages: dict, details_for=None) -> None:
    code = first_failing(spec, ctx)
    if code is not None:
        details = details_for(code, ctx) if details_for else {}
        raise GuardFailed(messages.get(code, code), code=code, details=details)


@dataclass
class TransitionContext:
    """What a handler works with. It may set `to_state` (one of the transition's targets) and fill
    `changes` (kept in the history row) and `result` (what the caller answers)."""

    record: object
    actor: object
    roles: set[str]
    spec: Transition
    params: dict = field(default_factory=dict)
    to_state: str | None = None
    changes: dict = field(default_factory=dict)
    result: dict = field(default_factory=dict)


Handler = Callable[[TransitionContext], None]


@dataclass
class Machine:
    key: str  # the subject type: "repair_order"
    title: object
    model: type
    states: type  # the model's TextChoices of states
    transitions: list[Transition]
    messages: dict = field(default_factory=dict)  # guard code -> message
    state_field: str = "state"
    history: Callable | None = None  # (machine, record, actor, action, from_state, to_state, changes) -> None
    # States where the record is done even though some step still starts there (a closed request is classified
    # and reopened): never open, whatever the table says.
    closed_states: tuple = ()

    def __post_init__(self):
        self.table = {spec.name: spec for spec in self.transitions}
        MACHINES[self.key] = self

    @property
    def open_states(self) -> tuple[str, ...]:
        """The states some transition starts from, but the closed ones: where a record is still open."""
        return tuple(state for state in self.states.values if state not in self.closed_states
                     and any(state in spec.sources for spec in self.transitions))

    def spec(self, action: str) -> Transition:
        spec = self.table.get(action)
        if spec is None:
            raise NotFound(_("No such action."), code="unknown_action")
        return spec

    def check(self, record, actor, action: str, held: set[str] | None = None) -> Transition:
        """The table's answer for this actor on this record now: roles, then state, then guards."""
        spec = self.spec(action)
        held = roles_of(actor) if held is None else held
        check_roles(spec, held)
        state = getattr(record, self.state_field)
        if state not in spec.sources:
            raise Conflict(
                _("“%(action)s” cannot be done while the %(record)s is %(state)s.")
                % {"action": spec.label, "record": self.title, "state": self.states(state).label},
                code="invalid_state", details={"state": state})
        check_guards(spec, GuardContext(record=record, actor=actor, roles=held, action=action), self.messages)
        return spec

    def allowed(self, record, actor) -> list[dict]:
        held, state = roles_of(actor), getattr(record, self.state_field)
        cache: dict = {}
        return [{"action": spec.name, "label": str(spec.label)} for spec in self.transitions
                if held & spec.roles and state in spec.sources
                and first_failing(spec, GuardContext(record=record, actor=actor, roles=held, action=spec.name,
                                                     cache=cache)) is None]

    def lock(self, pk, queryset=None):
        rows = queryset if queryset is not None else self.model.objects.all()
        record = rows.select_for_update(of=("self",)).filter(pk=pk).first()
        if record is None:
            raise NotFound()
        return record

    def apply(self, *, actor, pk=None, record=None, action: str, handler: Handler | None = None,
              params: dict | None = None, queryset=None):
        """Lock, check, run the handler, write the state and the history row. Inside the caller's
        transaction (services own it); returns the TransitionContext (its record is saved)."""
        with transaction.atomic():
            if record is None:
                record = self.lock(pk, queryset)
            held = roles_of(actor)
            spec = self.check(record, actor, action, held)
            from_state = getattr(record, self.state_field)
            ctx = TransitionContext(record=record, actor=actor, roles=held, spec=spec, params=params or {},
                                    to_state=spec.targets[0] if len(spec.targets) == 1 else None)
            if handler is not None:
                handler(ctx)
            to_state = ctx.to_state or from_state
            if spec.targets and to_state not in spec.targets:
                raise RuntimeError(f"{self.key}.{action} led to {to_state!r}, not one of {spec.targets}")
            setattr(record, self.state_field, to_state)
            if hasattr(record, "version"):
                record.version += 1
            record.save()
            (self.history or state_change_record)(self, record, actor, action, from_state, to_state, ctx.changes)
            return ctx


def state_change_record(machine: Machine, record, actor, action: str, from_state: str, to_state: str,
                        changes: dict) -> None:
    """The default history: one core.StateChange row per applied action."""
    from .models import StateChange

    StateChange.objects.create(machine=machine.key, subject_id=record.pk, action=action, from_state=from_state,
                               to_state=to_state, actor=actor if getattr(actor, "pk", None) else None,
                               changes=changes)


# Every machine declared, by key: the documentation and the checks walk them all.
MACHINES: dict[str, Machine] = {}
