"""Files in and out: comment tables (CSV/TSV, XLSX, JSONL, Parquet, survey-tool and WordPress exports) and safe writers.

Modules: ``tables`` (read a comment table, pick its columns, write results), ``textfile`` (one delimited-text
reader: encodings, delimiters, line ends), ``lost_marks`` (the "?" a Windows-1252 export wrote for an emoji it
could not hold: what the model reads instead), ``xlsx`` (streaming XLSX with limits), ``wide`` and ``wxr`` (survey-tool
wide exports, WordPress), ``outputs`` (atomic writes, locks, file mode), ``spreadsheet`` (Excel cells and tables,
CSV for Swedish Excel), ``oserrors`` (disk errors as one Swedish line), ``modelfiles`` (checks on a model
directory's files before they are read: safetensors headers, JSON, links)."""
