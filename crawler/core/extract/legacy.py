"""Legacy word-processor files (.doc, .wps, .rtf) → DOCX with LibreOffice → Document.

Word 97 ``.doc`` and Kingsoft ``.wps`` are OLE2 binaries; RTF is text-like but
its tables are only understood by a word processor. Text-only readers (antiword,
catdoc) lose the table grid, so these files go through LibreOffice, which writes
DOCX that :mod:`crawler.core.extract.docx` reads like any other attachment.

LibreOffice takes seconds to start, so it is kept running between documents:
unoserver (a pure-Python XML-RPC front of LibreOffice) runs under Debian's own
``python3``, the only interpreter that can import LibreOffice's ``uno`` module,
and this process talks XML-RPC to it. Every conversion has a time limit and a
memory limit; a conversion that breaks either gets the server killed (it is
started again for the next document). Without unoserver, one ``soffice
--convert-to`` per document with a private profile does the same, slower.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from http.client import HTTPConnection
from pathlib import Path

import psutil

from crawler.core.document import Document
from crawler.core.errors import ExtractionError
from crawler.core.extract.docx import extract_docx

#: seconds one conversion may take; a .doc report is a few pages, converted in well under a second
CONVERT_TIMEOUT = float(os.environ.get("GOVREPORTS_CONVERT_TIMEOUT", "60"))
#: resident memory LibreOffice may reach during one conversion before it is killed
CONVERT_MEMORY = int(os.environ.get("GOVREPORTS_CONVERT_MEMORY_MB", "1536")) * 1024 * 1024
_START_TIMEOUT = 60.0
_DEBIAN_PYTHON = "/usr/bin/python3"
_INSTALL_HINT = "install LibreOffice (apt-get install libreoffice-writer-nogui python3-uno, or run scripts/setup.sh as root)"

# unoserver's main under Debian's python3. PR_SET_PDEATHSIG first: a crawl worker killed outright runs
# no atexit, so the kernel tells unoserver, which stops LibreOffice (no preexec_fn: unsafe with threads).
_SERVER_MAIN = (
    "import ctypes, signal, sys\n"
    "try:\n    ctypes.CDLL(None).prctl(1, signal.SIGTERM)\nexcept Exception:\n    pass\n"
    "from unoserver.server import main\nsys.argv[0] = 'unoserver'\nsys.exit(main())\n"
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_OTHER_OFFICE = ("Workbook".encode("utf-16-le"), "PowerPoint Document".encode("utf-16-le"))


def legacy_kind(body: bytes) -> str | None:
    """``doc`` (OLE2 word processor: Word 97–2003, Kingsoft WPS), ``rtf``, ``ole2-other`` (XLS, PPT …) or None."""
    if body.startswith(_OLE2):
        directory = body[:1_048_576]  # the stream names live in the directory sectors near the start
        if _WORD_STREAM in directory or not any(name in directory for name in _OTHER_OFFICE):
            return "doc"  # old WPS versions name their stream differently: let LibreOffice decide
        return "ole2-other"
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    return None


def extract_legacy(body: bytes, kind: str) -> Document:
    """Convert a legacy document to DOCX and read it; ``kind`` from :func:`legacy_kind`."""
    if kind == "doc" and body.startswith(_OLE2) and len(body) < 1536:
        # a header sector and at least a directory and a data sector: anything shorter was cut off
        raise ExtractionError(f"truncated OLE2 (.doc/.wps) file: {len(body)} bytes", "extract/doc/corrupt")
    if kind == "ole2-other":
        raise ExtractionError("OLE2 file is a spreadsheet or presentation, not a report document", "extract/doc/not_text")
    doc = extract_docx(convert_to_docx(body))
    doc.source_format = kind
    return doc


def libreoffice_available() -> bool:
    return shutil.which("soffice") is not None


def convert_to_docx(body: bytes) -> bytes:
    """DOCX bytes of a document LibreOffice can open; ExtractionError on any failure."""
    if not libreoffice_available():
        raise ExtractionError(f"legacy Word/WPS/RTF document needs LibreOffice: {_INSTALL_HINT}", "extract/doc/no_converter")
    if _unoserver_usable():
        return _SERVER.convert(body)
    return _convert_once(body)


def _unoserver_usable() -> bool:
    if os.environ.get("GOVREPORTS_UNOSERVER", "1") == "0" or not os.path.exists(_DEBIAN_PYTHON):
        return False
    return importlib.util.find_spec("unoserver") is not None


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: str | tuple[str, dict[str, str]]) -> HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _UnoServer:
    """One unoserver + LibreOffice per process, started on first use, killed at exit or on a fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._port = 0
        self._owner = 0  # pid that started the server: a forked worker must start its own

    def convert(self, body: bytes) -> bytes:
        with self._lock:
            self._ensure_started()
            proxy = xmlrpc.client.ServerProxy(
                f"http://127.0.0.1:{self._port}", allow_none=True, transport=_TimeoutTransport(CONVERT_TIMEOUT)
            )
            watch = _MemoryWatch(self._proc.pid if self._proc else 0, CONVERT_MEMORY)
            watch.start()
            try:
                result = proxy.convert(None, xmlrpc.client.Binary(body), None, "docx", None, [], True, None, None)
            except TimeoutError as exc:
                self.stop()
                raise ExtractionError(f"document conversion took over {CONVERT_TIMEOUT:.0f} s", "extract/doc/timeout") from exc
            except (OSError, xmlrpc.client.Error) as exc:
                killed = watch.tripped
                self.stop()  # LibreOffice may be wedged after a failed load: start afresh next time
                if killed:
                    raise ExtractionError(
                        f"document conversion used over {CONVERT_MEMORY // 1048576} MiB", "extract/doc/memory"
                    ) from exc
                raise ExtractionError(
                    f"LibreOffice could not convert the document: {_short(exc)}", "extract/doc/corrupt"
                ) from exc
            finally:
                watch.stop()
        data = getattr(result, "data", None)
        if not isinstance(data, bytes) or not data:
            raise ExtractionError("LibreOffice returned no document", "extract/doc/corrupt")
        return data

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.poll() is None and self._owner == os.getpid():
            return
        if self._owner != os.getpid():
            self._proc = None  # inherited over fork: the parent's server, not ours
        self.stop()
        self._profile = tempfile.TemporaryDirectory(prefix="govreports-lo-")
        self._port = _free_port()
        spec = importlib.util.find_spec("unoserver")
        assert spec is not None and spec.submodule_search_locations
        site_dir = str(Path(next(iter(spec.submodule_search_locations))).parent)
        cmd = [
            _DEBIAN_PYTHON,
            "-c",
            _SERVER_MAIN,
            "--interface=127.0.0.1",
            "--uno-interface=127.0.0.1",
            f"--port={self._port}",
            f"--uno-port={_free_port()}",
            f"--user-installation={self._profile.name}",
            f"--conversion-timeout={max(1, int(CONVERT_TIMEOUT))}",
            "--quiet",
        ]
        env = {**os.environ, "PYTHONPATH": site_dir, "HOME": self._profile.name}
        # Its own session: stop() signals the whole group, LibreOffice included.
        self._proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._owner = os.getpid()
        deadline = time.monotonic() + _START_TIMEOUT
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self._port}", transport=_TimeoutTransport(5))
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                proxy.info()
                return
            except (OSError, xmlrpc.client.Error):
                time.sleep(0.25)
        self.stop()
        raise ExtractionError("LibreOffice conversion server did not start", "extract/doc/no_converter")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and self._owner == os.getpid():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None


class _MemoryWatch:
    """Kill the converter's process group when its resident memory passes the limit."""

    def __init__(self, pid: int, limit: int) -> None:
        self._pid = pid
        self._limit = limit
        self._done = threading.Event()
        self.tripped = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if self._pid:
            self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(0.1):
            try:
                root = psutil.Process(self._pid)
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            except psutil.Error:
                return
            if rss > self._limit:
                self.tripped = True
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._pid, signal.SIGKILL)
                return


def _convert_once(body: bytes) -> bytes:
    """One ``soffice --convert-to docx`` with a private profile (no unoserver)."""
    with tempfile.TemporaryDirectory(prefix="govreports-lo-") as tmp:
        src = Path(tmp, "input.bin")
        src.write_bytes(body)
        out_dir = Path(tmp, "out")
        cmd = [
            "soffice",
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": tmp},
            start_new_session=True,
        )
        with contextlib.suppress(psutil.Error):
            # Address space, not RSS: LibreOffice reserves far more than it touches, hence the headroom.
            psutil.Process(proc.pid).rlimit(psutil.RLIMIT_AS, (CONVERT_MEMORY * 4, CONVERT_MEMORY * 4))
        try:
            proc.wait(timeout=CONVERT_TIMEOUT + 20)  # + LibreOffice's own start-up
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise ExtractionError(f"document conversion took over {CONVERT_TIMEOUT:.0f} s", "extract/doc/timeout") from exc
        out = out_dir / "input.docx"
        if not out.exists():
            raise ExtractionError("LibreOffice could not convert the document", "extract/doc/corrupt")
        return out.read_bytes()


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:200]


_SERVER = _UnoServer()
atexit.register(_SERVER.stop)
