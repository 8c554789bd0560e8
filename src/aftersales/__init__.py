"""Aftersales: after-sales service and customer-returns management for manufacturers."""

__version__ = "0.1.0"
