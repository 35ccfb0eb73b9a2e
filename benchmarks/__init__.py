"""``laborlex bench``: ingest and query-at-scale measurements, with the in-memory store beside.

Shipped inside the distribution (not a loose script folder) so that ``laborlex bench`` works
from an installed clone. Each module does one job: building scaled indexes (``scale``), the
query set (``queries``), timing a store in a fresh process (``store_worker``, ``inmemory_worker``),
the HTTP leg (``api``), ingest stages (``ingest_stages``), and the report (``report``);
``run`` ties them together.
"""
