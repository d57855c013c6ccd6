"""One rendering of answers and clauses for every front end: Markdown with
citation links (chat, CLI, API), HTML panels and outlines (web), and the
replies hotline staff read out."""
