"""Reply templates and knowledge snippets in a chromadb collection, kept in step with the tables.

Source of truth is the database: ``ReplyTemplate`` and ``KnowledgeSnippet`` rows, and the product's
starter templates (``domain/data/reply_library.json``), indexed next to the business's own so a
topic the business wrote no template for still has one; snippets are business facts and come only from the table. ``sync`` compares a
content hash per document with what the collection holds and upserts / deletes the difference, so
an edited row is re-embedded and a deleted (or erased) row leaves the index on the next sync.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.lazy import lazy_module
from domain.models import KnowledgeSnippet, ReplyTemplate

chromadb = lazy_module("chromadb")  # half a second to import: only when an index is opened

LIBRARY = Path(__file__).parent / "data" / "reply_library.json"
_SLOT = re.compile(r"\{\w+\}|[\[\]*]")


@dataclass(frozen=True)
class ReplyDoc:
    """One template or snippet as indexed. ``key`` is the row id, or ``builtin:<name>``."""

    kind: str  # template | snippet
    key: str
    name: str
    topic: str
    channel: str  # a channel, or "any"
    language: str
    subject: str
    body: str
    approved: bool = False  # WhatsApp-approved template

    @property
    def doc_id(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def row_id(self) -> int | None:
        return int(self.key) if self.key.isdigit() else None

    def embed_texts(self) -> list[str]:
        """The texts this document is found by; its score is the best of them.

        A template is found by its topic: each comma-separated phrase and the whole topic, so one
        phrase ("where is my order") is not drowned by the others. Adding the body (slots, stock
        phrases like "your order") lowered hit@1 on the labelled queries. A snippet is found by
        title, tags and, in English, its facts. MiniLM reads no Bangla, so Bangla bodies stay out.
        """
        if self.kind == "template":
            phrases = [p.strip() for p in self.topic.split(",") if p.strip()]
            return list(dict.fromkeys(phrases + [self.topic]))
        parts = [self.topic] + ([self.body] if self.language == "en" else [])
        return [". ".join(_SLOT.sub(" ", p) for p in parts if p)]

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Hit:
    doc: ReplyDoc
    score: float  # cosine similarity, higher is better


@lru_cache(maxsize=1)
def starter_library() -> dict[str, Any]:
    """The shipped starter templates and demo snippets (a seed for demo data, too)."""
    return json.loads(LIBRARY.read_text(encoding="utf-8"))


def _builtin_templates() -> list[ReplyDoc]:
    return [
        ReplyDoc("template", f"builtin:{t['name']}", t["name"], t["topic"], t["channel"] or "any",
                 t["language"], t.get("subject") or "", t["body"], bool(t.get("whatsapp_approved")))
        for t in starter_library()["templates"]
    ]


def load_docs(session: Session) -> list[ReplyDoc]:
    """Every template and snippet to index, read from the tables, plus the starter templates (a
    draft prefers the business's own template of a topic and falls back to a starter one)."""
    templates = [
        ReplyDoc("template", str(t.id), t.name, t.topic, t.channel or "any", t.language or "en",
                 t.subject or "", t.body, bool(t.whatsapp_approved))
        for t in session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.id))
    ] + _builtin_templates()
    snippets = [
        ReplyDoc("snippet", str(s.id), s.title, f"{s.title}. {s.tags or ''}", "any",
                 s.language or "en", "", s.body)
        for s in session.scalars(select(KnowledgeSnippet).order_by(KnowledgeSnippet.id))
    ]
    return templates + snippets


def _metadata(doc: ReplyDoc) -> dict[str, Any]:
    return {"kind": doc.kind, "key": doc.key, "name": doc.name, "topic": doc.topic,
            "channel": doc.channel, "language": doc.language, "subject": doc.subject,
            "body": doc.body, "approved": doc.approved, "hash": doc.content_hash()}


def _doc(meta: dict[str, Any]) -> ReplyDoc:
    return ReplyDoc(meta["kind"], meta["key"], meta["name"], meta["topic"], meta["channel"],
                    meta["language"], meta["subject"], meta["body"], bool(meta["approved"]))


class ReplyIndex:
    """A chromadb collection of reply material for one embedding backend."""

    def __init__(self, client: chromadb.ClientAPI, backend: str | None = None,
                 collection: str = "c360_replies"):
        from domain.embeddings import embedding_function, retrieval_backend  # chromadb's classes

        self.backend = backend or retrieval_backend()
        self._lock = threading.Lock()
        # One collection per backend: vectors of different models never share a space.
        self.collection = client.get_or_create_collection(
            name=f"{collection}_{self.backend.replace('-', '_')}",
            embedding_function=embedding_function(self.backend),
            configuration={"hnsw": {"space": "cosine"}},
        )

    def sync(self, session: Session) -> dict[str, int]:
        """Make the collection equal the tables; returns how many documents were added / removed."""
        return self.sync_docs(load_docs(session))

    def sync_docs(self, docs: list[ReplyDoc]) -> dict[str, int]:
        wanted = {d.doc_id: d for d in docs}
        with self._lock:
            held = self.collection.get(include=["metadatas"])
            held_hash: dict[str, str | None] = {}
            for entry_id, meta in zip(held["ids"], held["metadatas"]):
                held_hash.setdefault(entry_id.split("#", 1)[0], (meta or {}).get("hash"))
            stale_docs = {d for d, h in held_hash.items() if d not in wanted or h != wanted[d].content_hash()}
            fresh = [d for i, d in wanted.items() if i in stale_docs or i not in held_hash]
            stale = [e for e in held["ids"] if e.split("#", 1)[0] in stale_docs]
            if stale:
                self.collection.delete(ids=stale)
            ids, texts, metas = [], [], []
            for doc in fresh:
                for n, text in enumerate(doc.embed_texts()):
                    ids.append(f"{doc.doc_id}#{n}")
                    texts.append(text)
                    metas.append(_metadata(doc))
            if ids:
                self.collection.upsert(ids=ids, documents=texts, metadatas=metas)
        removed = len([d for d in stale_docs if d not in wanted])
        return {"upserted": len(fresh), "deleted": removed, "total": len(wanted)}

    def remove(self, doc_ids: list[str]) -> None:
        """Drop documents (``template:12``, ``snippet:3``) now, without waiting for the next sync."""
        for doc_id in doc_ids:
            kind, _, key = doc_id.partition(":")
            self.collection.delete(where={"$and": [{"kind": kind}, {"key": key}]})

    def search(self, query: str, *, kind: str, channel: str | None = None,
               language: str | None = None, approved_only: bool = False, limit: int = 5) -> list[Hit]:
        """Best matches for ``query`` among documents of ``kind``, filtered, best first."""
        clauses: list[dict[str, Any]] = [{"kind": kind}]
        if channel:
            clauses.append({"channel": {"$in": [channel, "any"]}})
        if language:
            clauses.append({"language": language})
        if approved_only:
            clauses.append({"approved": True})
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        count = self.collection.count()
        if count == 0:
            return []
        # Several entries per document: ask for enough to still find ``limit`` distinct documents.
        found = self.collection.query(query_texts=[query], n_results=min(limit * 8, count), where=where,
                                      include=["metadatas", "distances"])
        best: dict[str, Hit] = {}
        for meta, dist in zip(found["metadatas"][0], found["distances"][0]):
            doc = _doc(meta)
            if doc.doc_id not in best:  # results come nearest first
                best[doc.doc_id] = Hit(doc, 1.0 - float(dist))
        return list(best.values())[:limit]

    def templates(self) -> list[ReplyDoc]:
        """Every template held, in a stable order."""
        held = self.collection.get(where={"kind": "template"}, include=["metadatas"])
        docs = {d.doc_id: d for d in map(_doc, held["metadatas"])}
        return [docs[k] for k in sorted(docs)]

    def template_variants(self, topic: str) -> list[ReplyDoc]:
        """Every template that shares ``topic`` (its language and channel variants)."""
        held = self.collection.get(where={"$and": [{"kind": "template"}, {"topic": topic}]},
                                   include=["metadatas"])
        docs = {d.doc_id: d for d in map(_doc, held["metadatas"])}
        return [docs[k] for k in sorted(docs)]


_INDEXES: dict[tuple[str, str], ReplyIndex] = {}
_INDEXES_LOCK = threading.Lock()


def chroma_client(path: Path | None) -> chromadb.ClientAPI:
    """A persistent client under ``path``, or an in-memory one when ``path`` is None."""
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if path is None:
        return chromadb.EphemeralClient(settings=settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def reply_index(data_dir: Path | None, backend: str | None = None) -> ReplyIndex:
    """The process-wide index under ``data_dir/chroma`` (``None``: in memory), one per backend."""
    from domain.embeddings import retrieval_backend

    backend = backend or retrieval_backend()
    place = str(Path(data_dir).resolve() / "chroma") if data_dir is not None else ":memory:"
    with _INDEXES_LOCK:
        if (place, backend) not in _INDEXES:
            client = chroma_client(None if data_dir is None else Path(place))
            _INDEXES[(place, backend)] = ReplyIndex(client, backend)
        return _INDEXES[(place, backend)]
