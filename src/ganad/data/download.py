"""Downloading the public data sets: progress bar, checksum, atomic write, clear offline errors.

`fetch(name)` obtains every file of a registry entry (`ganad.data.sources`) into the data root.
Each file is streamed into a temporary file next to its destination while its sha256/md5/git blob
id is computed, then checked against the byte count the server announced, the registry's size and
checksums, and only then moved into place with `os.replace` (atomic on one file system). Nothing is
resumed: a failed or interrupted transfer leaves no file behind and the next call starts over.

Without network access the error lists, for every missing file, its URL, the exact destination path
and its checksum, so the file can be copied there by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tqdm.auto import tqdm

from ._errors import ChecksumMismatchError, DownloadError
from .paths import data_root
from .sources import DatasetInfo, RemoteFile, get_info

__all__ = [
    "FileStatus",
    "download_file",
    "existing_copy",
    "fetch",
    "file_status",
    "manual_instructions",
    "verify_file",
]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
_USER_AGENT = "ganad-data/0.1 (+https://github.com/; python urllib)"

# `open` or `gzip.open`, called as `opener(path, "rb")`: both return a binary buffered stream.
_Opener = Callable[[Path, Literal["rb"]], io.BufferedIOBase]


# ---------------------------------------------------------------------------------------------
# Checksums
# ---------------------------------------------------------------------------------------------


class _Digests:
    """sha256 and md5 of a byte stream, updated chunk by chunk while it is written.

    (A git blob id hashes a "blob <size>\\0" prefix first, and the size is only certain at the end,
    so it is computed from the finished file instead, see `_git_blob_sha1`.)
    """

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.n_bytes = 0

    def update(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.md5.update(chunk)
        self.n_bytes += len(chunk)


def _git_blob_sha1(path: Path, opener: _Opener = open) -> str:
    """The git blob id of a file's content (sha1 of "blob <size>\\0" + content)."""
    with opener(path, "rb") as fh:
        size = 0
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
    digest = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with opener(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _mismatches(
    remote: RemoteFile, *, n_bytes: int, sha256: str, md5: str, git_sha1: str | None
) -> list[str]:
    problems = []
    if remote.size is not None and n_bytes != remote.size:
        problems.append(f"size {n_bytes:,} bytes, expected {remote.size:,}")
    if remote.sha256 and sha256 != remote.sha256.lower():
        problems.append(f"sha256 {sha256}, expected {remote.sha256}")
    if remote.md5 and md5 != remote.md5.lower():
        problems.append(f"md5 {md5}, expected {remote.md5}")
    if remote.git_sha1 and git_sha1 is not None and git_sha1 != remote.git_sha1.lower():
        problems.append(f"git blob sha1 {git_sha1}, expected {remote.git_sha1}")
    return problems


def verify_file(path: str | os.PathLike[str], remote: RemoteFile) -> bool:
    """Check a file on disk against `remote`'s size/checksums; raise `ChecksumMismatchError` if off.

    A copy stored gzip-compressed with an extra `.gz` suffix is checked by its decompressed content.
    Returns False when nothing can be checked (no checksum known, or an uncompressed copy of a file
    registered compressed), True when everything known matched.

    Parameters
    ----------
    path : str or path-like
        The file on disk: named as `remote.path`'s file, or that name plus `.gz` (then its
        decompressed content is checked). Any other name cannot be checked (False).
    remote : RemoteFile
        The registry entry whose `size`, `sha256`, `md5` and `git_sha1` (those that are set) the
        file must match.

    Returns
    -------
    bool
        True when every known size/checksum matched; False when there was nothing to check.

    Raises
    ------
    ChecksumMismatchError
        The size or a checksum differs from the registered one.
    """
    path = Path(path)
    registered = Path(remote.path).name
    opener: _Opener
    if path.name == registered:
        opener = open
    elif path.name == registered + ".gz":
        opener = gzip.open
    else:
        logger.info("%s: cannot be checked against the registered %s", path, registered)
        return False
    if not remote.has_checksum and remote.size is None:
        return False
    digests = _Digests()
    with opener(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digests.update(chunk)
    git = _git_blob_sha1(path, opener) if remote.git_sha1 else None
    problems = _mismatches(
        remote,
        n_bytes=digests.n_bytes,
        sha256=digests.sha256.hexdigest(),
        md5=digests.md5.hexdigest(),
        git_sha1=git,
    )
    if problems:
        raise ChecksumMismatchError(
            f"{path}: does not match the published file ({'; '.join(problems)}). Delete it and "
            "fetch it again (fetch(..., force=True))."
        )
    return True


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def _describe(remote: RemoteFile, base: Path) -> str:
    lines = [f"  - {base / remote.path}"]
    if remote.urls:
        lines.append("      download: " + "\n                or ".join(remote.urls))
    if remote.page:
        lines.append(f"      page: {remote.page}")
    facts = []
    if remote.size is not None:
        facts.append(f"size {remote.size:,} bytes")
    if remote.sha256:
        facts.append(f"sha256 {remote.sha256}")
    if remote.md5:
        facts.append(f"md5 {remote.md5}")
    if remote.git_sha1:
        facts.append(f"git blob {remote.git_sha1}")
    lines.append("      " + ("; ".join(facts) if facts else "no published checksum"))
    if remote.note:
        lines.append(f"      note: {remote.note}")
    return "\n".join(lines)


def manual_instructions(
    files: Iterable[RemoteFile], root: str | os.PathLike[str] | None = None
) -> str:
    """Text telling exactly which file to put where (destination, URL or page, checksum).

    Parameters
    ----------
    files : iterable of RemoteFile
        The files to describe, one entry each.
    root : str or path-like, optional
        The data root the destinations lie under (None: `$GANAD_DATA`, else the user cache
        directory; see `data_root`).

    Returns
    -------
    str
        Multi-line instructions: destination path, download URLs or page, size and checksums.
    """
    base = data_root(root)
    body = "\n".join(_describe(f, base) for f in files)
    return (
        f"Place the following file(s) by hand (data root {base}; set GANAD_DATA or pass root= to "
        f"use another):\n{body}"
    )


# ---------------------------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------------------------


def _deadline_seconds(timeout: float, size: int | None) -> float:
    """Wall-clock limit of one transfer: ten socket timeouts plus the registered size at
    256 KiB/s. The socket timeout alone bounds each read, not a server trickling a byte at a
    time (2 s timeouts kept such a download alive for a minute)."""
    return 10.0 * timeout + (size or 0) / (256 * 1024)


def _stream_to(
    url: str,
    handle,
    *,
    timeout: float,
    progress: bool,
    total_hint: int | None,
    desc: str,
    max_bytes: int | None = None,
    deadline: float | None = None,
) -> tuple[_Digests, int | None]:
    """Stream `url` into `handle`; stop with `DownloadError` past `max_bytes` (the registered
    size: a server may not send more) or past `deadline` seconds in all."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    limit = _deadline_seconds(timeout, total_hint) if deadline is None else deadline
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        announced = response.headers.get("Content-Length")
        length = int(announced) if announced and announced.strip().isdigit() else None
        digests = _Digests()
        with tqdm(
            total=length or total_hint,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=desc,
            disable=not progress,
            leave=False,
        ) as bar:
            # read1: at most one socket read per call, so the deadline is checked while a slow
            # server trickles (read(n) would wait for all n bytes).
            read = getattr(response, "read1", response.read)
            while chunk := read(_CHUNK):
                if max_bytes is not None and digests.n_bytes + len(chunk) > max_bytes:
                    raise DownloadError(
                        f"{url}: the server sent more than the registered {max_bytes:,} bytes; "
                        "not the published file."
                    )
                handle.write(chunk)
                digests.update(chunk)
                bar.update(len(chunk))
                if time.monotonic() - started > limit:
                    raise DownloadError(
                        f"{url}: transfer too slow, {digests.n_bytes:,} bytes after "
                        f"{limit:.0f} s (the overall deadline); try again later or another mirror."
                    )
    return digests, length


def _download_once(
    url: str,
    remote: RemoteFile,
    dest: Path,
    *,
    progress: bool,
    timeout: float,
    deadline: float | None = None,
) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            digests, length = _stream_to(
                url,
                handle,
                timeout=timeout,
                progress=progress,
                total_hint=remote.size,
                desc=dest.name,
                max_bytes=remote.size,
                deadline=deadline,
            )
        if length is not None and digests.n_bytes != length:
            raise DownloadError(
                f"{url}: interrupted transfer, received {digests.n_bytes:,} of {length:,} bytes."
            )
        git = _git_blob_sha1(tmp) if remote.git_sha1 else None
        problems = _mismatches(
            remote,
            n_bytes=digests.n_bytes,
            sha256=digests.sha256.hexdigest(),
            md5=digests.md5.hexdigest(),
            git_sha1=git,
        )
        if problems:
            raise ChecksumMismatchError(
                f"{url}: downloaded file is not the published one ({'; '.join(problems)})."
            )
        os.replace(tmp, dest)
        logger.info(
            "downloaded %s -> %s (%s bytes, sha256 %s)",
            url,
            dest,
            f"{digests.n_bytes:,}",
            digests.sha256.hexdigest(),
        )
    finally:
        tmp.unlink(missing_ok=True)


def download_file(
    remote: RemoteFile,
    dest: str | os.PathLike[str],
    *,
    progress: bool = True,
    verify: bool = True,
    timeout: float = 60.0,
    deadline: float | None = None,
) -> Path:
    """Download `remote` to `dest` (trying its URLs in order), verified and written atomically.

    `timeout` bounds each socket operation; `deadline` (seconds, default: ten timeouts plus the
    registered size at 256 KiB/s) the whole transfer from one mirror. A server that sends more
    than the registered size is cut off at it.

    `verify=False` only permits files for which no checksum is known (the registry says so);
    a known size or checksum is always checked. Raises `ChecksumMismatchError` when every mirror
    served a wrong file, `DownloadError` otherwise; no partial file is left at `dest` either way.

    Parameters
    ----------
    remote : RemoteFile
        The file to download; its `urls` are tried in order.
    dest : str or path-like
        Destination file; its parent directories are created. Replaced atomically on success.
    progress : bool, default True
        Show a tqdm progress bar.
    verify : bool, default True
        Refuse a file for which no checksum is registered (False allows it; a registered size
        or checksum is checked either way).
    timeout : float, default 60.0
        Seconds each socket operation may take.
    deadline : float, optional
        Seconds the whole transfer from one mirror may take (None: `10 * timeout` plus the
        registered size at 256 KiB/s).

    Returns
    -------
    pathlib.Path
        `dest`, now holding the verified file.

    Raises
    ------
    ChecksumMismatchError
        Every mirror served a file that does not match the registered size/checksums.
    DownloadError
        No URL, no checksum with `verify=True`, or a network/HTTP failure on the mirrors.
    """
    dest = Path(dest)
    if not remote.urls:
        raise DownloadError(
            f"{remote.path} cannot be downloaded automatically (no public URL).\n"
            + manual_instructions([remote], _root_of(dest, remote))
        )
    if verify and not remote.has_checksum:
        raise DownloadError(
            f"{remote.path}: no checksum is published for this file, so its integrity cannot be "
            "verified. Call with verify=False (CLI: --no-verify) to download it anyway, or place "
            "a copy you trust by hand."
        )
    failures: list[str] = []
    all_checksum = True
    for url in remote.urls:
        try:
            _download_once(url, remote, dest, progress=progress, timeout=timeout, deadline=deadline)
            return dest
        except ChecksumMismatchError as exc:
            failures.append(str(exc))
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            all_checksum = False
            failures.append(f"{url}: {exc}")
    error = ChecksumMismatchError if all_checksum else DownloadError
    raise error(
        f"could not download {remote.path}:\n    "
        + "\n    ".join(failures)
        + "\n"
        + manual_instructions([remote], _root_of(dest, remote))
    )


def _root_of(dest: Path, remote: RemoteFile) -> Path:
    """The data root that `dest` lies in, given that `dest` ends with `remote.path`."""
    depth = len(Path(remote.path).parts)
    return dest.parents[depth - 1] if len(dest.parents) >= depth else dest.parent


# ---------------------------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------------------------


def existing_copy(base: Path, remote: RemoteFile) -> Path | None:
    """`remote`'s file under `base`, as registered or stored with/without a `.gz` suffix.

    Parameters
    ----------
    base : pathlib.Path
        The data root.
    remote : RemoteFile
        The registered file; looked for at `base / remote.path`, then with `.gz` appended, then
        (for a registered `.gz` file) without its `.gz` suffix.

    Returns
    -------
    pathlib.Path or None
        The first of those that is an existing file, None if none is.
    """
    dest = base / remote.path
    candidates = [dest, dest.with_name(dest.name + ".gz")]
    if dest.suffix == ".gz":
        candidates.append(dest.with_suffix(""))
    return next((c for c in candidates if c.is_file()), None)


@dataclass(frozen=True)
class FileStatus:
    """Whether a registered file is present (`path` is where it was found or would go).

    Parameters
    ----------
    remote : RemoteFile
        The registered file.
    path : pathlib.Path
        Where the file was found (possibly with/without a `.gz` suffix), or where it would go.
    present : bool
        Whether a copy exists.
    verified : bool or None
        None: not checked (or absent); False: nothing to check against (no checksum known);
        True: size and checksums matched.
    """

    remote: RemoteFile
    path: Path
    present: bool
    verified: bool | None  # None: not checked; False: nothing to check against

    def describe(self) -> str:
        """One line: the path and its state (missing, present, unverified or verified).

        Returns
        -------
        str
            E.g. ``"/data/mnist/train-images-idx3-ubyte.gz  [present, verified]"``.
        """
        state = "missing"
        if self.present:
            state = {None: "present", False: "present (unverified)", True: "present, verified"}[
                self.verified
            ]
        return f"{self.path}  [{state}]"


def file_status(
    name: str, root: str | os.PathLike[str] | None = None, *, verify: bool = False
) -> list[FileStatus]:
    """Presence (and with `verify=True` checksum) of every file of data set `name`.

    Parameters
    ----------
    name : str
        Registry name or alias of the data set.
    root : str or path-like, optional
        The data root (None: `$GANAD_DATA`, else the user cache directory).
    verify : bool, default False
        Also check every present file against its registered size/checksums (a mismatch raises
        `ChecksumMismatchError`).

    Returns
    -------
    list of FileStatus
        One entry per registered file, in registry order.
    """
    info = get_info(name)
    base = data_root(root)
    statuses = []
    for remote in info.files:
        found = existing_copy(base, remote)
        if found is None:
            statuses.append(FileStatus(remote, base / remote.path, False, None))
            continue
        verified = verify_file(found, remote) if verify else None
        statuses.append(FileStatus(remote, found, True, verified))
    return statuses


def fetch(
    name: str,
    root: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    progress: bool = True,
    verify: bool = True,
    include_optional: bool = True,
    timeout: float = 60.0,
    deadline: float | None = None,
) -> list[Path]:
    """Download the files of data set `name` into the data root; returns their paths.

    Files already present are verified (a mismatch raises; pass `force=True` to replace them).
    Files that cannot be downloaded (behind a login/form, no network, no checksum without
    `verify=False`) are collected and reported together in one `DownloadError` that says which file
    to place where. `include_optional` also fetches files only some protocols need (e.g. Census'
    training file for the corrected protocol, NSL-KDD's .txt files). `timeout` and `deadline`
    are those of `download_file` (per socket operation, and per transfer in all).

    Parameters
    ----------
    name : str
        Registry name or alias of the data set (see `list_datasets`).
    root : str or path-like, optional
        The data root to download into (None: `$GANAD_DATA`, else the user cache directory).
    force : bool, default False
        Download again even files that are already present.
    progress : bool, default True
        Show a progress bar per file.
    verify : bool, default True
        Refuse files without a registered checksum (False downloads them anyway).
    include_optional : bool, default True
        Also fetch the files marked optional (a failure to get one is only logged).
    timeout : float, default 60.0
        Seconds each socket operation may take.
    deadline : float, optional
        Seconds one transfer may take (None: the `download_file` default).

    Returns
    -------
    list of pathlib.Path
        The paths of the files present or downloaded (optional files that failed excluded).

    Raises
    ------
    ChecksumMismatchError
        A present or downloaded file does not match the registry.
    DownloadError
        Some required file could not be obtained; the message says where to place it by hand.
    """
    info: DatasetInfo = get_info(name)
    base = data_root(root)
    paths: list[Path] = []
    failed: list[tuple[RemoteFile, str]] = []
    for remote in info.files:
        if remote.optional and not include_optional:
            continue
        found = existing_copy(base, remote)
        if found is not None and not force:
            verify_file(found, remote)
            logger.info("%s already present at %s", remote.path, found)
            paths.append(found)
            continue
        try:
            paths.append(
                download_file(
                    remote,
                    base / remote.path,
                    progress=progress,
                    verify=verify,
                    timeout=timeout,
                    deadline=deadline,
                )
            )
        except ChecksumMismatchError:
            raise
        except DownloadError as exc:
            first_line = str(exc).split("\n", 1)[0]
            failed.append((remote, first_line.removeprefix(f"{remote.path}: ")))
    required_failures = [(r, why) for r, why in failed if not r.optional]
    for remote, why in failed:
        if remote.optional:
            logger.warning("optional file %s not fetched: %s", remote.path, why)
    if required_failures:
        reasons = "\n".join(f"  {r.path}: {why}" for r, why in required_failures)
        raise DownloadError(
            f"could not obtain data set {info.name!r}:\n{reasons}\n"
            + manual_instructions([r for r, _ in required_failures], base)
        )
    return paths
