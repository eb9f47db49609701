"""Downloads against a loopback HTTP server (127.0.0.1 only), root resolution and the registry."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from ganad.data import (
    ChecksumMismatchError,
    DatasetInfo,
    DownloadError,
    RemoteFile,
    data_root,
    download_file,
    fetch,
    file_status,
    get_info,
    list_datasets,
    user_cache_dir,
    verify_file,
)
from ganad.data import sources as sources_module

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
SHA = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD, usedforsecurity=False).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[str, bytes]]] = {}
    hits: ClassVar[dict[str, int]] = {}

    def do_GET(self) -> None:
        mode, body = self.routes.get(self.path, ("404", b""))
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if mode == "404":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "trickle":  # a byte every 50 ms, forever (until the client gives up)
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if mode == "truncate":  # announce everything, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[_Handler]]]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")

    class Handler(_Handler):
        routes: ClassVar[dict[str, tuple[str, bytes]]] = {
            "/ok.bin": ("ok", PAYLOAD),
            "/cut.bin": ("truncate", PAYLOAD),
            "/slow.bin": ("trickle", PAYLOAD),
        }
        hits: ClassVar[dict[str, int]] = {}

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_success_atomic(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile(
        "toy/ok.bin", urls=(url + "/ok.bin",), size=len(PAYLOAD), sha256=SHA, md5=MD5
    )
    dest = tmp_path / "toy" / "ok.bin"
    assert download_file(remote, dest, progress=False) == dest
    assert dest.read_bytes() == PAYLOAD
    assert _leftovers(dest.parent) == ["ok.bin"]  # no temporary file left
    assert verify_file(dest, remote) is True


def test_checksum_mismatch_leaves_nothing(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile("toy/ok.bin", urls=(url + "/ok.bin",), sha256="0" * 64)
    dest = tmp_path / "toy" / "ok.bin"
    with pytest.raises(ChecksumMismatchError, match=r"sha256 [0-9a-f]{64}, expected 0{64}") as info:
        download_file(remote, dest, progress=False)
    assert not dest.exists() and _leftovers(dest.parent) == []
    assert str(dest) in str(info.value)  # says where a good copy should go


def test_interrupted_transfer_is_an_error_without_partial_file(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile("toy/cut.bin", urls=(url + "/cut.bin",), sha256=SHA)
    dest = tmp_path / "toy" / "cut.bin"
    with pytest.raises(
        DownloadError, match=r"interrupted transfer, received 524,288 of 1,048,576 bytes"
    ):
        download_file(remote, dest, progress=False)
    assert not dest.exists() and _leftovers(dest.parent) == []


def test_falls_back_to_the_next_mirror(server, tmp_path: Path) -> None:
    url, handler = server
    remote = RemoteFile("toy/ok.bin", urls=(url + "/missing.bin", url + "/ok.bin"), sha256=SHA)
    download_file(remote, tmp_path / "ok.bin", progress=False)
    assert handler.hits == {"/missing.bin": 1, "/ok.bin": 1}


def test_unverifiable_file_needs_explicit_opt_out(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile("toy/ok.bin", urls=(url + "/ok.bin",))
    with pytest.raises(
        DownloadError, match=r"no checksum is published.*verify=False \(CLI: --no-verify\)"
    ):
        download_file(remote, tmp_path / "ok.bin", progress=False)
    assert not (tmp_path / "ok.bin").exists()
    download_file(remote, tmp_path / "ok.bin", progress=False, verify=False)
    assert (tmp_path / "ok.bin").read_bytes() == PAYLOAD


def test_offline_error_says_which_file_to_place_where(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    remote = RemoteFile("kdd99/x.gz", urls=(f"http://127.0.0.1:{port}/x.gz",), size=10, sha256=SHA)
    dest = tmp_path / "kdd99" / "x.gz"
    with pytest.raises(DownloadError) as info:
        download_file(remote, dest, progress=False, timeout=5)
    message = str(info.value)
    assert str(dest) in message and f"http://127.0.0.1:{port}/x.gz" in message and SHA in message
    assert not isinstance(info.value, ChecksumMismatchError)


@pytest.fixture
def toy_registry(server, monkeypatch: pytest.MonkeyPatch) -> tuple[str, type[_Handler]]:
    url, handler = server
    info = DatasetInfo(
        "toy",
        "a toy",
        "1 MiB",
        url,
        "public domain",
        "tabular",
        (
            RemoteFile("toy/ok.bin", urls=(url + "/ok.bin",), size=len(PAYLOAD), sha256=SHA),
            RemoteFile("toy/extra.bin", urls=(url + "/gone.bin",), sha256=SHA, optional=True),
        ),
    )
    monkeypatch.setitem(sources_module.DATASETS, "toy", info)
    return url, handler


def test_fetch_downloads_once_then_verifies(toy_registry, tmp_path: Path) -> None:
    _, handler = toy_registry
    paths = fetch("toy", root=tmp_path, progress=False)
    assert paths == [tmp_path / "toy" / "ok.bin"]  # optional file unavailable: warned, not fatal
    fetch("toy", root=tmp_path, progress=False)
    assert handler.hits["/ok.bin"] == 1
    fetch("toy", root=tmp_path, progress=False, force=True)
    assert handler.hits["/ok.bin"] == 2
    statuses = file_status("toy", root=tmp_path, verify=True)
    assert [(s.present, s.verified) for s in statuses] == [(True, True), (False, None)]


def test_fetch_refuses_a_corrupted_existing_file(toy_registry, tmp_path: Path) -> None:
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "ok.bin").write_bytes(b"not it")
    with pytest.raises(ChecksumMismatchError, match=r"ok\.bin: does not match.*force=True"):
        fetch("toy", root=tmp_path, progress=False)


def test_existing_gzip_copy_is_verified_by_content(toy_registry, tmp_path: Path) -> None:
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "ok.bin.gz").write_bytes(gzip.compress(PAYLOAD))
    _, handler = toy_registry
    assert fetch("toy", root=tmp_path, progress=False, include_optional=False) == [
        tmp_path / "toy" / "ok.bin.gz"
    ]
    assert "/ok.bin" not in handler.hits


def test_fetch_of_a_login_only_set_explains_manual_placement(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as info:
        fetch("creditcard", root=tmp_path, progress=False)
    message = str(info.value)
    assert str(tmp_path / "creditcard" / "creditcard.csv") in message
    assert "https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud" in message


def test_root_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GANAD_DATA", str(tmp_path / "env"))
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("GANAD_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_root() == user_cache_dir()
    if user_cache_dir().parent == tmp_path / "xdg":  # Linux/BSD rule
        assert data_root() == tmp_path / "xdg" / "ganad"


def test_registry_entries_are_complete() -> None:
    infos = list_datasets()
    names = [i.name for i in infos]
    for required in (
        "mnist",
        "fmnist",
        "emnist",
        "kdd",
        "kdd99",
        "covtype",
        "census",
        "creditcard",
        "url",
        "doh",
        "cifar10",
        "mammography",
        "adbench:cardio",
    ):
        assert required in names
    assert len(names) == len(set(names))
    for info in infos:
        assert info.description and info.size and info.source and info.licence and info.files
        for remote in info.files:
            assert remote.urls or remote.page, remote.path
            assert all(u.startswith(("http://", "https://")) for u in remote.urls)
            assert remote.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
            assert remote.md5 is None or re.fullmatch(r"[0-9a-f]{32}", remote.md5)
            assert remote.git_sha1 is None or re.fullmatch(r"[0-9a-f]{40}", remote.git_sha1)
            assert remote.downloadable is False or remote.has_checksum or "checksum" in remote.note
    assert get_info("Fashion-MNIST").name == "fmnist" and get_info("NSL_KDD").name == "kdd"
    assert len(list_datasets(include_adbench=False)) == 12


def test_a_server_sending_more_than_the_registered_size_is_cut_off(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile("toy/ok.bin", urls=(url + "/ok.bin",), size=1000, sha256=SHA)
    dest = tmp_path / "toy" / "ok.bin"
    with pytest.raises(DownloadError, match=r"more than the registered 1,000 bytes"):
        download_file(remote, dest, progress=False)
    assert not dest.exists() and _leftovers(dest.parent) == []


def test_a_trickling_server_hits_the_overall_deadline(server, tmp_path: Path) -> None:
    url, _ = server
    remote = RemoteFile("toy/slow.bin", urls=(url + "/slow.bin",), size=len(PAYLOAD), sha256=SHA)
    dest = tmp_path / "toy" / "slow.bin"
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"too slow"):
        download_file(remote, dest, progress=False, timeout=1.0, deadline=1.5)
    assert time.monotonic() - started < 10
    assert not dest.exists() and _leftovers(dest.parent) == []
