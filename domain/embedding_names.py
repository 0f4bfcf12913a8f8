"""The names of the two embedding backends (``domain.embeddings``), importable without chromadb."""

MINILM = "minilm-int8-onnx"
LEXICAL = "lexical"
