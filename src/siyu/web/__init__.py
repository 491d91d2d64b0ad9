"""The web console: server-rendered pages (Jinja2) and static assets shipped in the package."""
