from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "aftersales.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from . import auth  # noqa: F401  (signal receivers)

        post_migrate.connect(_sync_reference_data, dispatch_uid="aftersales.core.sync_reference_data")

        from .models import JobState
        from .registry import register_state_groups

        register_state_groups("job", {JobState.QUEUED: "waiting", JobState.RUNNING: "progress",
                                      JobState.DONE: "done", JobState.FAILED: "cancelled"})


def _sync_reference_data(sender, **kwargs):
    """Roles and policies follow the code: after the last app's post_migrate (when every
    app's permissions exist), missing ones are created and groups are brought in line."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:  # Django sends post_migrate only for apps that have models
        return
    state = kwargs.get("apps")
    if state is not None and not _migrated(state, ("auth", "Permission"), ("auth", "Group"), ("core", "Policy")):
        return  # a partial migrate (`aftersales migrate core` on a new database): nothing to sync into yet
    from .policies import policies_sync
    from .roles import roles_sync

    using = kwargs.get("using", "default")
    roles_sync(using=using)
    policies_sync(using=using)


def _migrated(state, *models) -> bool:
    """Whether the migration state after this migrate holds every one of these models."""
    try:
        for app_label, model_name in models:
            state.get_model(app_label, model_name)
    except LookupError:
        return False
    return True
