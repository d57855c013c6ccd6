"""Policy question-answering assistant for the Yiwu County business-environment plan."""
from . import settings as _settings  # noqa: F401  (sets offline/telemetry env first)
