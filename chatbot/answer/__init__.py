"""Answers from one analysed question and one retrieval, never calling back
into the search: the refusal check, the extractive, structured, follow-up
and optional LLM answerers, and the pipeline that routes between them."""
