"""The Drug Policy Guide's publishing toolchain (the ``guide`` command)."""

__all__ = ["GuideError"]


class GuideError(Exception):
    """A problem the user can fix; the CLI prints it as one line, without a traceback."""
