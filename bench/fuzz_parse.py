"""Long fuzzing of the parser: mutated real documents fed to ``crawler.core.report.try_process`` for N minutes.

The inputs are the evaluation fixtures and the variant documents (HTML, DOCX,
PDF) and the shared text seeds, mutated the way transfers and broken tools
damage files: bit flips, truncations, chunks spliced in from another file,
repeated chunks; a DOCX is also mutated inside its zip (its document.xml
damaged and re-zipped), so the damage reaches the XML reader rather than
stopping at the zip's checksum.

Every input runs in a long-lived worker process with a memory limit
(RLIMIT_AS); an input that raises anything but a ReportError, takes longer
than the timeout, or kills the worker is a finding: its bytes and the error
are written to --out. The short, deterministic version of this runs in CI as
``tests/test_fuzz.py``.

    .venv/bin/python bench/fuzz_parse.py --minutes 30 [--seed 1] [--out fuzz_findings/]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import random
import resource
import sys
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.eval.gate import SHARED  # noqa: E402

SEED_DIRS = (ROOT / "tests" / "eval" / "fixtures", ROOT / "tests" / "data" / "variants", SHARED / "seeds")
SEED_SUFFIXES = {".html", ".docx", ".pdf", ".txt"}


def seed_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every seed document found, sorted by name."""
    seeds: list[tuple[str, bytes]] = []
    for folder in SEED_DIRS:
        if folder.is_dir():
            seeds.extend((p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix in SEED_SUFFIXES)
    return seeds


# ---- mutations: pure functions of the input bytes and explicit positions ----


def flip_bits(data: bytes, positions: list[int]) -> bytes:
    """Flip one bit at each position (position // 8 is the byte, position % 8 the bit)."""
    out = bytearray(data)
    for pos in positions:
        if out:
            index = (pos // 8) % len(out)
            out[index] ^= 1 << (pos % 8)
    return bytes(out)


def truncate(data: bytes, keep: int) -> bytes:
    return data[: keep % (len(data) + 1)]


def splice(data: bytes, at: int, chunk: bytes, replace: int = 0) -> bytes:
    """Insert ``chunk`` at ``at``, replacing ``replace`` bytes there."""
    at %= len(data) + 1
    return data[:at] + chunk + data[at + replace :]


def repeat(data: bytes, start: int, length: int, times: int) -> bytes:
    """Repeat one chunk of the input in place (a stuck writer, a run-away template)."""
    if not data:
        return data
    start %= len(data)
    chunk = data[start : start + max(1, length)]
    return data[:start] + chunk * max(1, times) + data[start:]


def mutate_zip_member(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """Apply ``change`` to one member of a zip and write the zip again; the other members unchanged."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    body = src.read(info.filename)
                    dst.writestr(info.filename, change(body) if info.filename == member else body)
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError, RuntimeError, NotImplementedError, zlib.error):
        return data  # already damaged past reading: leave it to the byte-level mutations


def random_mutation(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """One to three random mutations of ``data``; ``others`` supply chunks to splice in."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(("flip", "truncate", "splice", "repeat", "zip"))
        if kind == "flip":
            data = flip_bits(data, [rng.randrange(max(1, len(data) * 8)) for _ in range(rng.randint(1, 16))])
        elif kind == "truncate":
            data = truncate(data, rng.randrange(len(data) + 1))
        elif kind == "splice":
            donor = rng.choice(others) if others else data
            start = rng.randrange(len(donor) + 1)
            chunk = donor[start : start + rng.randint(1, 4096)]
            data = splice(data, rng.randrange(len(data) + 1), chunk, rng.randint(0, 64))
        elif kind == "repeat":
            data = repeat(data, rng.randrange(max(1, len(data))), rng.randint(1, 256), rng.randint(2, 200))
        elif data.startswith(b"PK"):
            inner = random.Random(rng.randrange(1 << 30))
            data = mutate_zip_member(data, "word/document.xml", lambda body, inner=inner: random_mutation(inner, body, []))
    return data


# ---- the worker: try_process in a separate process with a memory limit ----


def _worker(conn: Connection, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from crawler.core.errors import ReportError
    from crawler.core.report import try_process
    from crawler.core.resource import FetchedResource

    while True:
        data = conn.recv_bytes()
        try:
            outcome = try_process(FetchedResource(body=data))[0]
            conn.send(("ok", outcome))
        except ReportError as exc:  # try_process should not let these through either
            conn.send(("escaped", f"{type(exc).__name__}: {exc}"))
        except BaseException:  # noqa: BLE001 (finding every escaping exception is the point)
            conn.send(("crash", traceback.format_exc()))


class Worker:
    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        self._start()

    def _start(self) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.proc = multiprocessing.Process(target=_worker, args=(child, self.memory_bytes), daemon=True)
        self.proc.start()

    def run(self, data: bytes, timeout: float) -> tuple[str, str]:
        self.conn.send_bytes(data)
        if not self.conn.poll(timeout):
            self.restart()
            return "hang", f"no answer within {timeout} s"
        try:
            kind, detail = self.conn.recv()
        except EOFError:
            code = self.proc.exitcode
            self.restart()
            return "died", f"worker exited with {code}"
        return str(kind), str(detail)

    def restart(self) -> None:
        self.proc.kill()
        self.proc.join()
        self._start()

    def close(self) -> None:
        self.proc.kill()
        self.proc.join()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one input may take")
    ap.add_argument("--memory-mb", type=int, default=2048, help="the worker's address-space limit")
    ap.add_argument("--out", type=Path, default=Path("fuzz_findings"), help="where failing inputs are written")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    seeds = seed_files()
    if not seeds:
        print("error: no seed documents found", file=sys.stderr)
        return 2
    print(f"fuzzing for {args.minutes} min, seed {seed}, {len(seeds)} seed documents")
    worker = Worker(args.memory_mb * 1024**2)
    deadline = time.monotonic() + args.minutes * 60
    runs, findings = 0, 0
    outcomes: dict[str, int] = {}
    try:
        while time.monotonic() < deadline:
            name, data = rng.choice(seeds)
            data = random_mutation(rng, data, [d for _, d in seeds])
            started = time.monotonic()
            kind, detail = worker.run(data, args.timeout)
            runs += 1
            key = detail if kind == "ok" else kind
            outcomes[key] = outcomes.get(key, 0) + 1
            if kind != "ok":
                findings += 1
                digest = hashlib.sha256(data).hexdigest()[:16]
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{digest}.bin").write_bytes(data)
                (args.out / f"{digest}.txt").write_text(
                    f"{kind} from {name} in {time.monotonic() - started:.1f} s\n{detail}\n", "utf-8"
                )
                print(
                    f"FINDING {kind} from {name}: {args.out / digest}.bin\n{detail.strip().splitlines()[-1] if detail.strip() else ''}"
                )
            if runs % 100 == 0:
                print(f"{runs} inputs, {findings} findings, outcomes {outcomes}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        worker.close()
    print(f"done: {runs} inputs, {findings} findings, outcomes {outcomes}, seed {seed}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
