"""Web front end (Gradio 6): chat, hotline desk, full text, overview, API."""
from .layout import build_app, launch, launch_kwargs

__all__ = ["build_app", "launch", "launch_kwargs"]
