"""Background tasks of notifications (django-tasks: Django 6's tasks API, by a backend chosen in settings)."""

from django_tasks import task


@task()
def deliver_notifications() -> dict:
    from .delivery import deliver_pending

    return deliver_pending()
