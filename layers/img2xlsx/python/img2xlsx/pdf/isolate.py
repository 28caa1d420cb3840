"""PDFium in a forked child: CPU-time and address-space limits on the child, a wall-clock deadline in the
parent. The result comes back through a pipe (a JSON header, then each page's raw pixels); an InputError in
the child is raised again here, and a child killed by a limit or past the deadline becomes a one-line
InputError, so a hostile PDF never hangs or exhausts the converter."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from img2xlsx.errors import (
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    InputError,
    TruncatedImageError,
)

from . import common
from .common import EncryptedPdfError, damaged_message, memory_message

if TYPE_CHECKING:
    import numpy as np

Work = Callable[[], tuple[dict[str, Any], list["np.ndarray"]]]


def run_isolated(work: Work, name: str) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Run ``work`` in a forked child under CPU and address-space limits; its result comes back through a
    pipe (a JSON header, then each page's raw pixels). An InputError in the child is re-raised here; a child
    killed by a limit or past the wall-clock deadline becomes a one-line InputError."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(work, write_fd, name)
    os.close(write_fd)
    deadline = time.monotonic() + 2 * common.RENDER_CPU_SECONDS + 5
    try:
        header, blobs = _receive(read_fd, deadline)
    except TimeoutError:
        _kill(pid)
        raise ImageTooLargeError(f"{name}: the PDF takes too long to render") from None
    except (EOFError, ValueError, OSError):
        status = _reap(pid)
        raise _death_error(status, name) from None
    finally:
        os.close(read_fd)
    _reap(pid)
    if "error" in header:
        error = header["error"]
        cls = _ERROR_CLASSES.get(error["code"], InputError)
        raise cls(error["message"])
    return header, blobs


_ERROR_CLASSES: dict[str, type[InputError]] = {
    cls.code: cls
    for cls in (
        EncryptedPdfError,
        EmptyInputError,
        ImageTooLargeError,
        ImageTooSmallError,
        TruncatedImageError,
    )
}


def _child(work: Work, fd: int, name: str) -> None:
    code = 0
    try:
        _limit_child()
        try:
            header, blobs = work()
        except InputError as exc:
            header, blobs = {"error": {"code": exc.code, "message": exc.message}}, []
        except MemoryError:
            header, blobs = {"error": {"code": "too_large", "message": memory_message(name)}}, []
        except Exception:  # PDFium surprised by a malformed file: still the file's fault
            header, blobs = {"error": {"code": "truncated", "message": damaged_message(name)}}, []
        header["shapes"] = [list(b.shape) for b in blobs]
        raw_header = json.dumps(header).encode()
        with os.fdopen(fd, "wb") as out:
            out.write(struct.pack("<Q", len(raw_header)))
            out.write(raw_header)
            for blob in blobs:
                out.write(blob.data.cast("B"))
    except BaseException:  # the parent reports the child's death; the child never runs the parent's code
        code = 70
    os._exit(code)


def _limit_child() -> None:
    import resource

    cpu = max(1, int(common.RENDER_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    current = _vm_size()
    if current is not None:
        budget = current + common.RENDER_MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))


def _vm_size() -> int | None:
    """This process's virtual size in bytes (Linux), the base the child's address-space budget adds to."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _read_into(fd: int, view: memoryview, deadline: float) -> None:
    pos = 0
    while pos < len(view):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        n = os.readv(fd, [view[pos:]])
        if n == 0:
            raise EOFError
        pos += n


def _receive(fd: int, deadline: float) -> tuple[dict[str, Any], list[np.ndarray]]:
    import numpy as np

    size = bytearray(8)
    _read_into(fd, memoryview(size), deadline)
    (length,) = struct.unpack("<Q", size)
    if length > 64 * 1024 * 1024:
        raise ValueError("header too large")
    raw_header = bytearray(length)
    _read_into(fd, memoryview(raw_header), deadline)
    header = json.loads(raw_header)
    blobs = []
    for shape in header.pop("shapes", []):
        arr = np.empty(tuple(int(s) for s in shape), dtype=np.uint8)
        _read_into(fd, arr.data.cast("B"), deadline)
        blobs.append(arr)
    return header, blobs


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return 0
    return status


def _death_error(status: int, name: str) -> InputError:
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        return ImageTooLargeError(f"{name}: the PDF takes too long to render")
    return ImageTooLargeError(memory_message(name) + " (or is damaged)")
