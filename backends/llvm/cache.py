"""Stage 5 of the llvm backend, JIT compilation: `jit_module` receives the plan's LLVM
module and hands back an MCJIT engine and its functions' addresses, compiled for the host
(target.py) or loaded from the compiled code caches: in memory per process, and on disk
across processes.

The key is a SHA-256 of the module's LLVM IR, the host fingerprint (llvmlite and LLVM
versions, target triple, CPU name and features) and CODEGEN_VERSION, so a plan compiled
on one machine, by one version, is never loaded by another. Disk entries are written
atomically (temporary file, then rename) and carry a header with the key and a digest of
the object code; an entry that is truncated, corrupt or from another key is discarded
and rebuilt, never loaded.

GRAPHC_CACHE_DIR sets the folder (default ~/.cache/graphc/llvm); GRAPHC_CACHE_DIR=off
turns the disk cache off.
"""
from __future__ import annotations

import collections
import hashlib
import os
import struct
import tempfile
import threading
from pathlib import Path
from typing import Optional

from graphc.ir.compiler_thread import on_compiler_thread

from .target import host

CODEGEN_VERSION = "1"
_MAGIC = b"GRAPHC-OBJ\x00\x01"
MEMORY_ENTRIES = 256  # compiled modules kept in memory (executables keep their own alive)
_memory: "collections.OrderedDict" = collections.OrderedDict()
_memory_lock = threading.Lock()
# modules: plan modules handed to the JIT (a plan's native code, built for it: compiled,
# or found in one of the caches)
stats = {"modules": 0, "memory_hits": 0, "disk_hits": 0, "compiled": 0, "rejected": 0}


def cache_dir() -> Optional[Path]:
    value = os.environ.get("GRAPHC_CACHE_DIR")
    if value is not None and value.lower() in ("off", "0", "none", ""):
        return None
    return Path(value) if value else Path.home() / ".cache" / "graphc" / "llvm"


def module_key(llvm_ir: str) -> str:
    h = hashlib.sha256()
    for part in (CODEGEN_VERSION, host().fingerprint, llvm_ir):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _read_entry(path: Path, key: str) -> Optional[bytes]:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 64 + 32 + 8
    if len(data) < head or not data.startswith(_MAGIC):
        return None
    k = data[len(_MAGIC):len(_MAGIC) + 64].decode("ascii", "replace")
    digest = data[len(_MAGIC) + 64:len(_MAGIC) + 96]
    (size,) = struct.unpack("<Q", data[len(_MAGIC) + 96:head])
    body = data[head:]
    if k != key or size != len(body) or hashlib.sha256(body).digest() != digest:
        return None
    return body


def _write_entry(path: Path, key: str, obj: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = _MAGIC + key.encode("ascii") + hashlib.sha256(obj).digest() + struct.pack(
            "<Q", len(obj))
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".o")
        with os.fdopen(fd, "wb") as f:
            f.write(header + obj)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only or full disk only costs the next process a compile


def jit_module(module, names: list, text: Optional[str] = None) -> tuple:
    """(engine, [address of each function in `names`]) for the llvmlite `module`; `text`:
    its IR when the caller has it already (rendering a plan's module takes longer than
    finding it in a cache)."""
    stats["modules"] += 1
    text = str(module) if text is None else text
    key = module_key(text)
    with _memory_lock:
        hit = _memory.get(key)
        if hit is not None:
            _memory.move_to_end(key)
    if hit is not None:
        stats["memory_hits"] += 1
        return hit
    return on_compiler_thread(_load_or_compile, key, names, text)


def _load_or_compile(key: str, names: list, text: str) -> tuple:
    """jit_module's work past its memory cache, on a compiler thread: LLVM's code
    generation wants more stack than a small thread has (ir/compiler_thread.py)."""
    h = host()
    folder = cache_dir()
    path = folder / key[:2] / f"{key}.o" if folder is not None else None
    with h.lock:
        obj = _read_entry(path, key) if path is not None else None
        if obj is not None:
            try:
                engine = h.engine(None, object_code=obj)
                addresses = [engine.get_function_address(n) for n in names]
                if all(addresses):
                    stats["disk_hits"] += 1
                    result = (engine, addresses)
                    _remember(key, result)
                    return result
            except RuntimeError:
                pass
            stats["rejected"] += 1
        elif path is not None and path.exists():
            stats["rejected"] += 1
        ref = h.parse(text)
        h.optimize(ref)
        obj = h.emit_object(ref)
        engine = h.engine(None, object_code=obj)  # code generation once, not twice
        addresses = [engine.get_function_address(n) for n in names]
        stats["compiled"] += 1
        if path is not None:
            _write_entry(path, key, obj)
    result = (engine, addresses)
    _remember(key, result)
    return result


def _remember(key: str, result: tuple) -> None:
    with _memory_lock:
        _memory[key] = result
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)
