"""Plain multi-row INSERTs for imports of many thousands of rows.

Django's bulk_create compiles every value of every row through the field machinery; for a
100,000-row import that costs several times what the database itself spends (measured in
docs/benchmarks.md). Here the caller gives values already in the database's form (constant
timestamps adapted once), and the rows go out through the driver's executemany.
"""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection

BATCH = 5000


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], *, batch: int = BATCH) -> None:
    """INSERT the rows (tuples in the order of `fields`, values ready for the driver)."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(iterator, batch)):
            cursor.executemany(sql, chunk)


def db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value):
    return connection.ops.adapt_datefield_value(value)


def history_of_new_rows(model, *, after_id: int, created_at, reason: str, user_id: int | None) -> None:
    """Write the "+" history rows of the rows just inserted (id above `after_id`, created at
    `created_at`) inside the database, as django-simple-history would: the row's fields, then
    history_date, history_change_reason, history_type and history_user."""
    history = model.history.model
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in model._meta.concrete_fields]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns + [quote(c) for c in extra])}) "
        f"SELECT {', '.join(columns)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} > %s AND {quote('created_at')} = %s"
    )
    stamp = db_datetime(created_at)
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, reason, "+", user_id, after_id, stamp])
