"""Every error the HTTP API answers with: a status and a ``detail`` that says what to fix; never a 500 for bad input."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError
from tools.results import Candidate, ToolError

log = logging.getLogger("c360.http")

# how a tool's error code maps to an HTTP status
TOOL_STATUS = {"not_found": 404, "ambiguous": 409, "conflict": 409, "forbidden": 403, "invalid": 422,
               "unknown_tool": 500, "internal": 500}


class FieldProblem(BaseModel):
    field: str = Field(description="Where the problem is, e.g. 'message' or 'query.limit'")
    message: str


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx answer."""

    detail: str = Field(description="What is wrong and how to fix it")
    error: str | None = Field(None, description="A code: not_found, ambiguous, invalid, forbidden, conflict, "
                                                "invalid_json, too_large, unauthorized, rate_limited, internal")
    errors: list[FieldProblem] = Field(default_factory=list, description="One entry per invalid field")
    candidates: list[Candidate] = Field(default_factory=list, description="For 'ambiguous': the records meant")


class ApiError(Exception):
    """Raised by routes for an answer other than 200; rendered as an ``ErrorResponse``."""

    def __init__(self, status: int, detail: str, *, error: str | None = None,
                 candidates: list[Candidate] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.error = status, detail, error
        self.candidates, self.headers = candidates or [], headers

    @classmethod
    def from_tool(cls, failure: ToolError) -> ApiError:
        return cls(TOOL_STATUS.get(failure.error, 400), failure.message, error=failure.error,
                   candidates=failure.candidates)


def _body(detail: str, error: str | None, **extra: Any) -> dict[str, Any]:
    return ErrorResponse(detail=detail, error=error, **extra).model_dump(mode="json")


def _where(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _problem(err: dict[str, Any]) -> FieldProblem:
    kind, msg = err.get("type", ""), err.get("msg", "invalid")
    if kind == "missing":
        msg = "this field is required"
    elif kind in ("model_attributes_type", "dict_type") and list(err.get("loc", ())) == ["body"]:
        msg = "the body must be a JSON object"
    elif "input" in err and kind not in ("json_invalid", "too_large") and _short(err["input"]):
        msg = f"{msg} (got {err['input']!r})"
    return FieldProblem(field=_where(err.get("loc", ())), message=msg)


def _short(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and len(repr(value)) <= 80


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    bad_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if bad_json is not None:
        reason = (bad_json.get("ctx") or {}).get("error", "")
        detail = f"the request body is not valid JSON ({reason})" if reason else "the request body is not valid JSON"
        return JSONResponse(_body(detail + "; send a JSON object", "invalid_json"), status_code=400)
    too_large = next((e for e in errors if e.get("type") == "too_large"), None)
    if too_large is not None:
        return JSONResponse(_body(too_large.get("msg", "too large"), "too_large",
                                  errors=[_problem(too_large)]), status_code=413)
    problems = [_problem(e) for e in errors]
    detail = "; ".join(f"{p.field}: {p.message}" for p in problems) or "the request is invalid"
    return JSONResponse(_body(detail, "invalid", errors=problems), status_code=422)


async def api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(_body(exc.detail, exc.error, candidates=exc.candidates), status_code=exc.status,
                        headers=exc.headers)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
    return JSONResponse(_body(str(exc.detail), codes.get(exc.status_code)), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
    status = TOOL_STATUS.get(exc.code, 422)
    return JSONResponse(_body(exc.message, exc.code), status_code=status)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # a bug, never the caller's input: logged with an id the caller can quote
    incident = uuid.uuid4().hex[:12]
    log.exception("unhandled error %s on %s %s", incident, request.method, request.url.path)
    return JSONResponse(_body(f"internal error (incident {incident}): not caused by your request; report it with this id",
                              "internal"), status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(Exception, unexpected_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No token, an unknown token or a revoked one"},
    422: {"model": ErrorResponse, "description": "A parameter or field is invalid (the detail says which)"},
}
