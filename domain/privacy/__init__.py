"""Customer data rights: export, erasure (right to be forgotten), the consent log, retention.

* ``export_customer`` (``export``): one JSON-ready document with every row about a customer and
  their family, consent history and audit trail included.
* ``erase_customer`` (``erase``): personal fields nulled or anonymised, free text redacted,
  aggregates kept, status ``erased``; ``forget_in_index`` drops customer-derived documents from
  a vector index.
* ``identifying_terms`` / ``record_forgotten_threads`` (``conversations``): what identifies a
  customer in conversation text (read before erasing, for ``agent.checkpoint.forget_customer``)
  and the audit row of the threads deleted.
* ``consent_log`` / ``write_consent_csv`` (``consent_log``): the consent history as CSV.
* ``apply_retention`` (``retention``): free text older than ``C360_RETENTION_DAYS_NOTES`` redacted.

The free-text rules that erasure and retention share live in ``redaction``.
"""

from domain.privacy.consent_log import CONSENT_COLUMNS, consent_log, write_consent_csv
from domain.privacy.conversations import THREADS_ACTION, identifying_terms, record_forgotten_threads
from domain.privacy.erase import ERASE_ACTION, Erasure, erase_customer, forget_in_index
from domain.privacy.export import EXPORT_FORMAT, export_customer
from domain.privacy.redaction import (
    FREE_TEXT,
    FREE_TEXT_KEYS,
    PERSONAL_KEYS,
    REDACTED,
    plain,
    redact_json,
)
from domain.privacy.retention import RetentionReport, apply_retention

__all__ = [
    "CONSENT_COLUMNS",
    "ERASE_ACTION",
    "EXPORT_FORMAT",
    "FREE_TEXT",
    "FREE_TEXT_KEYS",
    "PERSONAL_KEYS",
    "REDACTED",
    "THREADS_ACTION",
    "Erasure",
    "RetentionReport",
    "apply_retention",
    "consent_log",
    "erase_customer",
    "export_customer",
    "forget_in_index",
    "identifying_terms",
    "plain",
    "record_forgotten_threads",
    "redact_json",
    "write_consent_csv",
]
