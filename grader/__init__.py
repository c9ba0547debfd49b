"""grader: checks and grades the exercises of a neural-network course."""

__version__ = "0.1.0"
