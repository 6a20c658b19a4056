"""Rendering summaries: Markdown, JSON, HTML, terminal and Excel over shared row builders.

Modules: ``render`` (one entry per format), ``rows`` (shared rows and labels), ``html``, ``terminal``,
``xlsx``, ``charts`` (inline SVG).
"""
