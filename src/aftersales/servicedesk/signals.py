"""What the service desk tells the apps above it, which it does not import."""

from django.dispatch import Signal

# A decision sends a technician (技术员上门): field service opens the field order and answers its number.
# Sent with request (the service request, locked), actor, technician (a user or None), planned_date (or None),
# site_address (where the technician goes; may be empty).
technician_dispatched = Signal()
