"""The book offline: ``make pdf`` (``publish.pdf``) and ``make bundle`` (``publish.bundle``)."""
