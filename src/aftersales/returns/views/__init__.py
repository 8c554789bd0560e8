"""The return case's pages: the case list and search (cases.py), the case page and its actions, a new
application and the serial lookup (application.py), receiving by scanner (receiving.py), the warehouse's,
quality's and repair's benches and the inspection page (benches.py), printed forms and QR labels
(printing.py), attachment files (files.py).

Views are thin: they read through the selectors and act through the services the API uses, so a page
can do exactly what the API allows and nothing else. Pages answer htmx requests with the partial that
changed (django-template-partials: `template.html#partial`).
"""
