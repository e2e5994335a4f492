"""neural-executor-ray: a search's trials run on a Ray cluster (``neural run FILE --hpo --executor ray``)."""

__version__ = "0.1.0"
