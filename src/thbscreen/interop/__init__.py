"""Exchange with other case-data standards. :mod:`thbscreen.interop.htcds`: IOM's HTCDS."""
