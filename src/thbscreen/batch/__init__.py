"""Batch screening: whole tables at once (columnar), files, and distributed engines.

Nothing here is imported by ``import thbscreen``: numpy and pyarrow are optional
(``pip install 'thbscreen[batch]'``).
"""
