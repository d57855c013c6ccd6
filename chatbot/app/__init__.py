"""The edges: settings, the bootstrap that builds everything from them, the
command line, the web app, and the stores only the web needs (feedback,
rate limits)."""
