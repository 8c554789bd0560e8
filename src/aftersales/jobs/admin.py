from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "slot", "scheduler", "started_at", "task_id"]
    list_filter = ["job"]
