"""Personal data: finding and replacing it in Swedish text, and in whole files.

Modules: ``redactor`` (:func:`redact`, :class:`Redactor`), ``patterns`` (patterns and word lists from
``resources/``), ``names`` (the ``[NAMN]`` detector: name lists, titles, colleague names), ``files`` (redact a
table's text column)."""
