"""Policy question-answering assistant for the Yiwu County business-environment plan.

The data path, one layer each (``app → answer → search → corpus/text → domain``):
corpus (formats → records) → search (analyse the question once, retrieve once)
→ answer (from that, never calling back) → present → app (cli, web).
"""
import os as _os

# Chroma reads these at import time, and sentence-transformers / HF must never
# try to reach a hub: set them before any submodule can import either.
for _k, _v in (("ANONYMIZED_TELEMETRY", "False"), ("CHROMA_TELEMETRY_IMPL", "none"),
               ("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
               ("HF_HUB_DISABLE_TELEMETRY", "1"), ("GRADIO_ANALYTICS_ENABLED", "False")):
    _os.environ.setdefault(_k, _v)
