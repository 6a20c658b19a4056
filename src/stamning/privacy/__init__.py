"""Personal data: finding and replacing it in Swedish text, and in whole files.

Modules: ``redactor`` (:func:`redact`, :class:`Redactor`), ``patterns`` (patterns and word lists from
``resources/``), ``files`` (redact a table's text column).
"""
