"""Running the classify verb: locally (whole or in chunks, resumable) or on a Ray cluster.

Modules: ``local`` (:func:`classify_file`), ``stream`` (chunked reading and parts), ``manifest`` (what a
resumable run depends on), ``progress`` (a progress display), ``heap`` (flat memory), ``extras`` (own themes
and redaction around a run), ``ray_plan`` (shards, manifests and refusals, no Ray needed), ``ray_stages`` (what runs on the workers) and
``ray_run`` (the run on Ray).
"""
