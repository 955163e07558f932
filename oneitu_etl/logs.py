"""The pipeline's logs: its own news, and only the warnings of the libraries it calls.

At INFO, Great Expectations logs about 215 lines when it is imported ("Skipping registering
function…"), WeasyPrint a line per page and layout pass ("Step 5 - Creating layout…") and
fontTools a line per font it subsets: in a task log they bury the pipeline's own lines.
:func:`quiet_libraries` sets those loggers to WARNING; the stages call it before they
import the libraries.
"""

from __future__ import annotations

import logging

#: Loggers of the libraries whose INFO lines are noise in the pipeline's logs.
LIBRARIES = ("great_expectations", "weasyprint", "fontTools", "matplotlib", "PIL")


def quiet_libraries(level: int = logging.WARNING) -> None:
    """Set the libraries' loggers to ``level``, unless the deployment set a level already.

    Args:
        level: The least severe level of their records that is kept.
    """
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)
