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
