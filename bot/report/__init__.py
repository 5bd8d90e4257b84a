"""The animator report: a self-contained HTML page with inline SVG charts."""
