"""HTML pages (Jinja2, forms that work without JavaScript)."""
