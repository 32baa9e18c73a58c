"""Models in other formats: upload one into the model, download the model in one.

- ``POST /imports?format=archimate&name=shop.xml`` with the file as the body (an ArchiMate
  exchange file, a BMML canvas, an ``.xlsx`` workbook; Archi's CSV files or the workbook's CSV
  sheets as a ZIP of the folder): the import is merged into the model by identity in one
  validated write (see :mod:`kg.interchange.merge`): 200 with what changed and the needs-input
  report; 422 with the violations and the needs-input report when the write would break the
  shapes (nothing changes, unless ``allow_violations=true``); 400 when the file cannot be read,
  with where. Writes need the bearer token.
- ``GET /exports/{format}``: the model as an ArchiMate exchange file, a workbook, or a ZIP
  (Archi CSV, the workbook's CSV sheets, a BMML canvas and its companion).
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import AppState, State, WriteAccess
from api.errors import ApiError, problem
from api.openapi import problems
from kg.errors import KGError, WriteRejectedError
from kg.interchange.formats import FORMATS, Format, export_graph, import_file
from kg.interchange.importer import needs_input_report
from kg.interchange.merge import merge_import

__all__ = ["router"]

router = APIRouter()

_ZIPPED = {"archi-csv", "csv"}
_SUFFIX = {"archimate": ".xml", "bmml": ".bmml", "xlsx": ".xlsx"}
_MEDIA = {
    "archimate": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_NAME = re.compile(r"[\w.-]{1,100}")
_UNZIPPED_LIMIT = 64 << 20
"""The most a ZIP of CSV files may hold once unpacked (the body limit bounds the ZIP itself)."""


@router.post(
    "/imports",
    tags=["interchange"],
    summary="Import a model in another format into this one",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file: an ArchiMate exchange file, a BMML canvas, an .xlsx "
            "workbook, or a ZIP of Archi's CSV files or of the workbook's CSV sheets",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
    responses={
        200: {"description": "What changed, and what the import needs from a person"},
        **problems(400, 401, 403, 413, 422),
    },
)
async def import_model(
    request: Request,
    state: State,
    _: WriteAccess,
    format: Annotated[Format, Query(description="the file's format")],
    name: Annotated[
        str | None,
        Query(
            description="the source's name (letters, digits, '.', '-', '_'): importing under "
            "the same name again updates what that import wrote",
            max_length=100,
        ),
    ] = None,
    allow_violations: Annotated[
        bool, Query(description="write even when the import breaks the shapes")
    ] = False,
) -> JSONResponse:
    body = await request.body()
    return await run_in_threadpool(_import, state, body, format, name, allow_violations)


def _import(
    state: AppState, body: bytes, format: Format, name: str | None, allow_violations: bool
) -> JSONResponse:
    if not body:
        raise ApiError(400, "bad-import", "Nothing to import", "the body is empty")
    name = name or f"upload{_SUFFIX.get(format, '')}"
    if not _NAME.fullmatch(name) or name in (".", ".."):
        raise ApiError(
            400,
            "bad-import",
            "Bad name",
            "name: use letters, digits, '.', '-' and '_' only (at most 100)",
        )
    with tempfile.TemporaryDirectory(prefix="kg-import-") as folder:
        path = Path(folder) / name
        try:
            if format in _ZIPPED:
                _unzip(body, path)
            else:
                path.write_bytes(body)
            result = import_file(path, format=format)
        except KGError as error:
            raise ApiError(
                400, "bad-import", "The file cannot be imported", _hide(str(error), folder)
            ) from None
        result.source = name
        report = needs_input_report(result)
        needs = _hidden(report.to_dict(), folder)
        with state.write_lock:
            try:
                merged = merge_import(
                    state.model, result, name=name, allow_violations=allow_violations
                )
            except WriteRejectedError as refused:
                return problem(
                    422,
                    "shape-violation",
                    "The import would violate the shapes",
                    f"{len(refused.report.results)} violations; nothing was written (fill in "
                    "what needs_input lists, or import with allow_violations=true)",
                    results=[
                        {k: v for k, v in r.items() if k not in {"written", "source"}}
                        for r in refused.report.to_dict()["results"]
                    ],
                    needs_input=needs,
                )
    body_out = merged.to_dict()
    body_out["violations"] = [
        {k: v for k, v in r.items() if k not in {"written", "source"}}
        for r in body_out["violations"]  # type: ignore[attr-defined]
    ]
    return JSONResponse({"merge": body_out, "needs_input": needs})


def _unzip(body: bytes, folder: Path) -> None:
    """Unpack a ZIP of CSV files into ``folder``, refusing paths, bombs and other files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile:
        raise ApiError(
            400, "bad-import", "Not a ZIP", "send the CSV files as a ZIP of one folder"
        ) from None
    folder.mkdir()
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            base = Path(info.filename).name
            if not base.lower().endswith(".csv") and base.lower() not in ("readme.txt",):
                raise ApiError(
                    400, "bad-import", "Not a CSV file", f"{info.filename}: only CSV files"
                )
            total += info.file_size
            if total > _UNZIPPED_LIMIT:
                raise ApiError(
                    413,
                    "too-large",
                    "Too large unpacked",
                    f"the ZIP unpacks to more than {_UNZIPPED_LIMIT >> 20} MiB",
                )
            with archive.open(info) as source:
                data = source.read(_UNZIPPED_LIMIT + 1)
            if len(data) != info.file_size:
                raise ApiError(400, "bad-import", "Bad ZIP", f"{info.filename}: wrong size")
            (folder / base).write_bytes(data)


def _hide(text: str, folder: str) -> str:
    """A message without the server's temporary folder in it."""
    return text.replace(folder + "/", "").replace(folder, "")


def _hidden(value: Any, folder: str) -> Any:
    if isinstance(value, str):
        return _hide(value, folder)
    if isinstance(value, list):
        return [_hidden(v, folder) for v in value]
    if isinstance(value, dict):
        return {k: _hidden(v, folder) for k, v in value.items()}
    return value


@router.get(
    "/exports/{format}",
    tags=["interchange"],
    summary="The model in another format",
    responses={
        200: {
            "description": "An exchange file, a workbook, or a ZIP of files",
            "content": {
                "application/xml": {},
                "application/zip": {},
                _MEDIA["xlsx"]: {},
            },
        },
        **problems(400, 404),
    },
)
async def export_model(
    state: State,
    format: Format,
    enterprise: Annotated[
        str | None, Query(description="bmml: the enterprise to draw", min_length=1)
    ] = None,
    portfolio: Annotated[str | None, Query(pattern="^(explore|exploit)$")] = None,
    stage: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return await run_in_threadpool(_export, state, format, enterprise, portfolio, stage)


def _export(
    state: AppState,
    format: Format,
    enterprise: str | None,
    portfolio: str | None,
    stage: str | None,
) -> Response:
    from kg.interchange.formats import model_graph

    graph = model_graph(state.model)
    with tempfile.TemporaryDirectory(prefix="kg-export-") as folder:
        out = Path(folder) / ("model" + _SUFFIX.get(format, ""))
        try:
            written = export_graph(
                graph, format, out, enterprise=enterprise, portfolio=portfolio, stage=stage
            )
        except KGError as error:
            raise ApiError(
                400, "bad-export", "The model cannot be exported", _hide(str(error), folder)
            ) from None
        if format in _MEDIA:
            return Response(
                written[0].read_bytes(),
                media_type=_MEDIA[format],
                headers={"Content-Disposition": f'attachment; filename="model{_SUFFIX[format]}"'},
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, path.name)
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="model-{format}.zip"'},
    )


_ = FORMATS
