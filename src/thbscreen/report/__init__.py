"""Reports people look at: self-contained HTML reports, indicator cards and the studio.

Everything here is a view of an assessment, a pathway or a rule set. Pages are single
files with nothing fetched; every text from a rule set or network is escaped and shown
in the requested language where the file has it, else in English, marked as such.
"""

from .cards import indicator_cards
from .dimensions import dimension_svg
from .document import cases_report, exercise_report, html_report
from .pathway_diagram import pathway_diagram
from .studio import Studio, StudioServer, studio_server

__all__ = [
    "Studio",
    "StudioServer",
    "cases_report",
    "dimension_svg",
    "exercise_report",
    "html_report",
    "indicator_cards",
    "pathway_diagram",
    "studio_server",
]
