"""Low-level readers for the original file formats, with errors that name the file, line and column.

Every reader loads a whole file or fails: a truncated gzip stream, a short idx file, a row with the
wrong number of fields or a non-numeric value in a numeric column raises `DataFormatError`, never a
silently shortened or NaN-padded table. No pickle is ever loaded.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._errors import DataFormatError

__all__ = [
    "ArffAttribute",
    "ArffFile",
    "check_no_missing",
    "convert_numeric",
    "field_counts",
    "parse_delimited",
    "read_arff",
    "read_bytes",
    "read_idx",
    "read_mat",
    "read_npz",
]

_GZIP_MAGIC = b"\x1f\x8b"


# ---------------------------------------------------------------------------------------------
# Bytes
# ---------------------------------------------------------------------------------------------


def read_bytes(path: Path, *, label: str | None = None) -> bytes:
    """The decompressed content of `path` (gzip detected by its magic bytes, whatever the suffix).

    Decompressing fully up front is what makes a truncated `.gz` an error instead of a short table.
    """
    label = label or str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DataFormatError(f"{label}: cannot be read ({exc}).") from exc
    return decompress_if_gzip(raw, label=label)


def decompress_if_gzip(raw: bytes, *, label: str) -> bytes:
    """`raw` itself, or its gzip-decompressed content; a damaged stream raises `DataFormatError`."""
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError as exc:
        raise DataFormatError(
            f"{label}: truncated gzip file ({exc}); the download or copy is incomplete. "
            "Delete it and fetch it again."
        ) from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise DataFormatError(f"{label}: corrupt gzip file ({exc}).") from exc


# ---------------------------------------------------------------------------------------------
# Delimited text
# ---------------------------------------------------------------------------------------------


def field_counts(
    data: bytes, *, sep: str = ",", quotechar: str | None = None, comment: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Number of fields and 1-based line number of every non-blank, non-comment line.

    Vectorised over the raw bytes when no quote character occurs (the common case: millions of lines
    in well under a second); quoted files go through the `csv` module so quoted separators count
    right. The line numbers let later checks name the offending line of the file.
    """
    if quotechar is not None and quotechar.encode() in data:
        return _field_counts_csv(data, sep=sep, quotechar=quotechar, comment=comment)
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    newlines = np.flatnonzero(buf == 0x0A)
    ends = newlines if buf[-1] == 0x0A else np.append(newlines, buf.size)
    starts = np.concatenate(([0], newlines + 1))[: ends.size]
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 0x0D)
    ends = ends - has_cr
    keep = ends > starts
    # separators per line: segment i of reduceat spans line i and its line break
    counts = np.add.reduceat(buf == ord(sep), starts, dtype=np.int64) + 1
    if comment is not None:
        keep &= buf[np.minimum(starts, buf.size - 1)] != ord(comment)
    line_no = np.arange(1, ends.size + 1)
    return counts[keep], line_no[keep]


def _field_counts_csv(
    data: bytes, *, sep: str, quotechar: str, comment: str | None
) -> tuple[np.ndarray, np.ndarray]:
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar=quotechar)
    counts: list[int] = []
    lines: list[int] = []
    first_line = 1
    for row in _rows(reader):
        line = first_line
        first_line = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if comment is not None and row[0].startswith(comment):
            continue
        counts.append(len(row))
        lines.append(line)
    return np.asarray(counts, dtype=np.int64), np.asarray(lines, dtype=np.int64)


def _rows(reader):
    """The csv reader's rows, its `csv.Error` (e.g. a NUL byte or a line break in binary data)
    turned into a `DataFormatError` naming the line (the caller adds the file)."""
    try:
        yield from reader
    except csv.Error as exc:
        raise DataFormatError(
            f"line {reader.line_num}: not delimited text ({exc}); the file is damaged or binary."
        ) from exc


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(head: bytes) -> str | None:
    """ "utf-32" / "utf-16" when `head` starts with that byte-order mark, else None."""
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def as_utf8_text(data: bytes, label: str) -> bytes:
    """`data` as UTF-8: UTF-16/32 files (recognised by their byte-order mark) are re-encoded,
    a UTF-8 BOM is dropped; binary data and other encodings (e.g. Latin-1) are refused with a
    message that says how to convert them, instead of being parsed into garbage."""
    encoding = bom_encoding(data[:4])
    if encoding is not None:
        try:
            return data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataFormatError(f"{label}: damaged {encoding.upper()} text ({exc}).") from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data[:65536]:
        raise DataFormatError(f"{label}: binary data (NUL bytes), not delimited text.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFormatError(
            f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); convert it, "
            "e.g. `iconv -f latin1 -t utf-8`."
        ) from exc
    return data


def check_field_counts(
    counts: np.ndarray, lines: np.ndarray, *, expected: int, label: str, line_offset: int = 0
) -> None:
    """Raise naming the first line whose field count differs from `expected`."""
    bad = np.flatnonzero(counts != expected)
    if bad.size:
        i = int(bad[0])
        raise DataFormatError(
            f"{label}: line {int(lines[i]) + line_offset} has {int(counts[i])} fields, expected "
            f"{expected} ({bad.size} such line(s) in total); the file is damaged or not in the "
            "expected format."
        )


def _simple_layout(data: bytes, *, quotechar: str | None, comment: str | None) -> bool:
    """True when every line is one record: no blank/comment lines, no quote characters.

    Then row i of the parsed table is line i + 1 (+ header) and the expensive per-line field count
    is only needed to explain an error.
    """
    if quotechar is not None and quotechar.encode() in data:
        return False
    if data.startswith((b"\n", b"\r\n")) or b"\n\n" in data or b"\n\r\n" in data:
        return False
    has_comments = comment is not None and (
        data.startswith(comment.encode()) or b"\n" + comment.encode() in data
    )
    return not has_comments


def parse_delimited(
    data: bytes,
    *,
    label: str,
    names: Sequence[str] | None = None,
    header: bool = False,
    sep: str = ",",
    quotechar: str = '"',
    skipinitialspace: bool = False,
    comment: str | None = None,
    string_columns: Iterable[str] = (),
    category_columns: Iterable[str] = (),
    na_values: Sequence[str] = (),
    line_offset: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse delimited text fully checked; returns the frame and each row's 1-based file line.

    * every line must have the same number of fields (given by `names`, or by the header line when
      `header=True`); a longer or shorter line raises naming it (pandas alone would pad short lines
      with NaN);
    * only the strings in `na_values` become NaN (pandas' default NA list would turn e.g. Census'
      value "NA" (not applicable) into a missing value);
    * numeric columns are *not* validated here; call `convert_numeric` for the columns that must be
      numbers, so the error can name line and column.

    `line_offset` is added to every reported line number (the data section of an ARFF file).
    """
    data = as_utf8_text(data, label)
    simple = _simple_layout(data, quotechar=quotechar, comment=comment)

    def checked_lines() -> np.ndarray:
        """Every record's line number; raises naming the first line with a wrong field count."""
        try:
            counts, lines = field_counts(data, sep=sep, quotechar=quotechar, comment=comment)
        except DataFormatError as exc:
            raise DataFormatError(f"{label}: {exc}") from exc
        _check_counts(counts, lines + line_offset, header=header, names=names, label=label)
        return lines

    # A simple layout needs the costly per-line field count only to explain an error (see
    # `_simple_layout`); any other layout is checked line by line up front.
    lines = None if simple else checked_lines()
    dtype: dict[str, Any] = {
        **{c: str for c in string_columns},
        **{c: "category" for c in category_columns},
    }
    frame = _read_delimited(
        data,
        label=label,
        names=names,
        header=header,
        sep=sep,
        quotechar=quotechar,
        skipinitialspace=skipinitialspace,
        comment=comment,
        na_values=na_values,
        dtype=dtype,
        on_parse_error=checked_lines if simple else None,
    )
    _keep_category_strings(frame, category_columns)
    if simple and not _all_fields_present(data, frame, sep=sep, header=header):
        checked_lines()
        raise DataFormatError(f"{label}: lines with differing numbers of fields.")
    return frame, _row_lines(len(frame), lines, header=header, line_offset=line_offset, label=label)


def _read_delimited(
    data: bytes,
    *,
    label: str,
    names: Sequence[str] | None,
    header: bool,
    sep: str,
    quotechar: str,
    skipinitialspace: bool,
    comment: str | None,
    na_values: Sequence[str],
    dtype: dict[str, Any],
    on_parse_error: Callable[[], object] | None,
) -> pd.DataFrame:
    """`pd.read_csv` of `data` with no default NA strings, its errors as `DataFormatError`.

    `on_parse_error`, if given, runs first when pandas cannot parse the text, so that a line with
    the wrong number of fields is reported as such rather than by pandas' message.
    """
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            header=0 if header else None,
            names=None if header else list(names) if names is not None else None,
            sep=sep,
            quotechar=quotechar,
            skipinitialspace=skipinitialspace,
            comment=comment,
            keep_default_na=False,
            na_values=list(na_values),
            dtype=dtype or None,
            skip_blank_lines=True,
            low_memory=False,
        )
    except pd.errors.EmptyDataError as exc:
        raise DataFormatError(f"{label}: the file holds no data.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        if on_parse_error is not None:
            on_parse_error()
        raise DataFormatError(f"{label}: cannot be parsed as delimited text ({exc}).") from exc
    if len(frame) == 0:
        raise DataFormatError(f"{label}: the file holds no data rows.")
    return frame


def _keep_category_strings(frame: pd.DataFrame, category_columns: Iterable[str]) -> None:
    """Give the categorical columns back the file's strings as categories, in place."""
    for col in category_columns:
        # pandas may infer numeric categories ("0", "1" -> 0, 1); keep them as the file's strings
        cats = frame[col].cat.categories
        if not (pd.api.types.is_object_dtype(cats) or pd.api.types.is_string_dtype(cats)):
            frame[col] = frame[col].cat.rename_categories([str(c) for c in cats])


def _all_fields_present(data: bytes, frame: pd.DataFrame, *, sep: str, header: bool) -> bool:
    """Whether every line of a simple-layout file has all the frame's fields.

    pandas pads a short line with NaN; every line having all fields is equivalent (here) to the
    file holding exactly rows x (fields - 1) separators, which is cheap to count.
    """
    expected = (len(frame) + (1 if header else 0)) * (frame.shape[1] - 1)
    return data.count(sep.encode()) == expected


def _row_lines(
    n_rows: int, lines: np.ndarray | None, *, header: bool, line_offset: int, label: str
) -> np.ndarray:
    """Each parsed row's 1-based file line: from the record `lines` (None: one record per line).

    Raises when the rows pandas parsed and the file's data lines differ in number.
    """
    if lines is None:
        lines = np.arange(1, n_rows + 1) + (1 if header else 0)
    else:
        lines = lines[1:] if header else lines
    lines = lines + line_offset
    if n_rows != lines.size:
        raise DataFormatError(
            f"{label}: parsed {n_rows} rows but the file has {lines.size} data lines "
            "(quoted line breaks or stray quote characters?)."
        )
    return lines


def _check_counts(
    counts: np.ndarray, lines: np.ndarray, *, header: bool, names: Sequence[str] | None, label: str
) -> None:
    if counts.size == 0 or (header and counts.size == 1):
        raise DataFormatError(f"{label}: the file holds no data rows.")
    expected = int(counts[0]) if header else len(names or ())
    if expected:
        check_field_counts(counts, lines, expected=expected, label=label)


def convert_numeric(
    frame: pd.DataFrame,
    columns: Iterable[Any],
    *,
    label: str,
    lines: np.ndarray,
    unit: str = "line",
) -> None:
    """Make `columns` numeric in place; the first non-numeric entry raises naming line and column."""
    for col in columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            continue
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna().to_numpy() & ~series.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            position = frame.columns.get_loc(col) + 1
            raise DataFormatError(
                f"{label}: {unit} {int(lines[i])}, column {position} ({col!r}): "
                f"{series.iloc[i]!r} is not a number ({int(bad.sum())} non-numeric value(s) in "
                "this column). A text column: encode it (categorical='infer', CLI --categorical "
                "infer), or keep it out of the features if it is not one (an ID: id_column / "
                "--id-column; free text: drop / --drop)."
            )
        frame[col] = converted


def check_no_missing(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    *,
    label: str,
    lines: np.ndarray,
    unit: str = "line",
) -> None:
    """Raise naming the first missing (empty or '?') value in `columns`."""
    if not len(columns):
        return
    missing = frame[list(columns)].isna().to_numpy()
    if missing.any():
        row, col = (int(v[0]) for v in np.nonzero(missing))
        name = columns[col]
        position = frame.columns.get_loc(name) + 1
        raise DataFormatError(
            f"{label}: {unit} {int(lines[row])}, column {position} ({name!r}): missing value "
            f"({int(missing.sum())} missing value(s) in {int(missing.any(axis=1).sum())} row(s))."
        )


# ---------------------------------------------------------------------------------------------
# idx (MNIST family)
# ---------------------------------------------------------------------------------------------

_IDX_DTYPES: dict[int, str] = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


def read_idx(path: Path) -> np.ndarray:
    """An idx array (LeCun's format: big-endian magic `00 00 <type> <ndim>`, dims, raw data)."""
    label = str(path)
    data = read_bytes(path)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _IDX_DTYPES:
        raise DataFormatError(f"{label}: not an idx file (magic bytes {data[:4].hex() or 'none'}).")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFormatError(f"{label}: idx header is truncated.")
    dims = struct.unpack(">" + "I" * ndim, data[4:header])
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataFormatError(
            f"{label}: the idx header announces shape {dims} ({expected:,} data bytes) but the file "
            f"holds {len(data) - header:,} (truncated or corrupt)."
        )
    return (
        np.frombuffer(data, dtype=dtype, offset=header)
        .reshape(dims)
        .astype(dtype.newbyteorder("="))
    )


# ---------------------------------------------------------------------------------------------
# ARFF (Weka)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArffAttribute:
    """One `@attribute`: `kind` is "numeric", "nominal" (with `categories`) or "string"."""

    name: str
    kind: str
    categories: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class ArffFile:
    relation: str
    attributes: tuple[ArffAttribute, ...]
    frame: pd.DataFrame
    lines: np.ndarray


_ATTR_RE = re.compile(
    r"^@attribute\s+(?P<name>'[^']*'|\"[^\"]*\"|\S+)\s+(?P<type>.+?)\s*$", re.IGNORECASE
)


def _unquote(token: str) -> str:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    return token


def _parse_attribute(line: str, *, label: str, line_no: int) -> ArffAttribute:
    match = _ATTR_RE.match(line)
    if match is None:
        raise DataFormatError(
            f"{label}: line {line_no}: malformed @attribute declaration {line!r}."
        )
    name = _unquote(match["name"])
    spec = match["type"].strip()
    if spec.startswith("{"):
        if not spec.endswith("}"):
            raise DataFormatError(
                f"{label}: line {line_no}: unterminated nominal list for {name!r}."
            )
        inner = spec[1:-1]
        values = next(csv.reader([inner], quotechar="'", skipinitialspace=True), [])
        categories = tuple(_unquote(v) for v in values)
        return ArffAttribute(name, "nominal", categories)
    kind = spec.split()[0].lower()
    if kind in {"numeric", "real", "integer"}:
        return ArffAttribute(name, "numeric")
    if kind in {"string", "date"}:
        return ArffAttribute(name, "string")
    raise DataFormatError(
        f"{label}: line {line_no}: unsupported attribute type {spec!r} for {name!r}."
    )


def read_arff(path: Path) -> ArffFile:
    """A dense ARFF file: header attributes plus the data section, every value checked.

    Numeric attributes must parse as numbers, nominal values must be among the declared ones; '?' is
    a missing value (left as NaN for the caller to accept or refuse).
    """
    label = str(path)
    data = read_bytes(path)
    relation = ""
    attributes: list[ArffAttribute] = []
    offset = 0
    line_no = 0
    data_offset = None
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        line_no += 1
        line = data[offset:end].decode("utf-8", errors="replace").strip()
        offset = end + 1
        if not line or line.startswith("%"):
            continue
        lower = line.lower()
        if lower.startswith("@relation"):
            relation = _unquote(line[len("@relation") :])
        elif lower.startswith("@attribute"):
            attributes.append(_parse_attribute(line, label=label, line_no=line_no))
        elif lower.startswith("@data"):
            data_offset = offset
            break
        else:
            raise DataFormatError(f"{label}: line {line_no}: unexpected header line {line[:60]!r}.")
    if data_offset is None or not attributes:
        raise DataFormatError(f"{label}: not an ARFF file (no @attribute/@data section).")
    section = data[data_offset:]
    if section.lstrip().startswith(b"{"):
        raise DataFormatError(f"{label}: sparse ARFF data is not supported.")
    names = [a.name for a in attributes]
    text_cols = [a.name for a in attributes if a.kind != "numeric"]
    frame, lines = parse_delimited(
        section,
        label=label,
        names=names,
        sep=",",
        quotechar="'",
        skipinitialspace=True,
        comment="%" if b"\n%" in section or section.startswith(b"%") else None,
        string_columns=text_cols,
        na_values=["?"],
        line_offset=line_no,
    )
    numeric_cols = [a.name for a in attributes if a.kind == "numeric"]
    convert_numeric(frame, numeric_cols, label=label, lines=lines)
    for position, attr in enumerate(attributes, start=1):
        if attr.kind != "nominal" or attr.categories is None:
            continue
        values = frame[attr.name]
        bad = ~values.isin(attr.categories).to_numpy() & values.notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataFormatError(
                f"{label}: line {int(lines[i])}, column {position} ({attr.name!r}): value "
                f"{values.iloc[i]!r} is not one of the declared categories."
            )
    return ArffFile(relation, tuple(attributes), frame, lines)


# ---------------------------------------------------------------------------------------------
# MATLAB and NumPy archives
# ---------------------------------------------------------------------------------------------


def read_mat(source: Path | bytes, *, label: str) -> dict[str, Any]:
    """`scipy.io.loadmat` of a v4-v7.2 MAT file; v7.3 (HDF5) gets an error saying what to do."""
    from scipy.io import loadmat

    raw = source if isinstance(source, bytes) else read_bytes(Path(source))
    if raw[:128].startswith(b"MATLAB 7.3") or raw[:8] == b"\x89HDF\r\n\x1a\n":
        raise DataFormatError(
            f"{label}: MATLAB v7.3 (HDF5) file, which scipy cannot read. Use the ADBench .npz of "
            "the same data set, or re-save it in MATLAB with `save(..., '-v7')`."
        )
    try:
        return loadmat(io.BytesIO(raw))
    except Exception as exc:  # scipy raises many unrelated types for damaged files
        raise DataFormatError(f"{label}: not a readable MATLAB .mat file ({exc}).") from exc


def read_npz(path: Path, *, required: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """Arrays of an `.npz` archive (never unpickling); `required` keys must be present."""
    label = str(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataFormatError(f"{label}: not a readable .npz archive ({exc}).") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataFormatError(f"{label}: a single .npy array, not an .npz archive.")
    with archive:
        missing = [k for k in required if k not in archive.files]
        if missing:
            raise DataFormatError(
                f"{label}: the archive lacks the array(s) {missing}; it holds {archive.files}."
            )
        try:
            return {k: archive[k] for k in archive.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            # object arrays (would need pickle) or damaged members
            raise DataFormatError(f"{label}: cannot read its arrays ({exc}).") from exc
