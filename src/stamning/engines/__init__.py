"""Running the verbs on files: classify locally (whole or in chunks, resumable) or on a Ray cluster; summarize
and compare.

Modules: ``local`` (:func:`classify_file`), ``stream`` (chunked reading and parts), ``manifest`` (what a resumable
run depends on), ``progress`` (a progress display), ``extras`` (own themes, redaction and
the results store around a run), ``survey`` (:func:`summarize_file`, :func:`compare_file` and rendering their
results), ``ray_plan`` (shards, manifests and refusals, no Ray needed), ``ray_stages`` (what runs on the workers)
and ``ray_run`` (the run on Ray)."""
