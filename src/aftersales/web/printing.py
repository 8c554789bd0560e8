"""Printable forms and QR labels (being written)."""

from django.http import Http404


def print_form(request, pk: int, form: str):
    raise Http404


def labels(request, pk: int):
    raise Http404
