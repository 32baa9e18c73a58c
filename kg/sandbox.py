"""Work a client controls, run in a forked child process that can really be stopped.

Oxigraph cannot interrupt an evaluation from Python: a thread that stops waiting for a query
leaves it running, with its memory, until it ends on its own. A :class:`Sandbox` therefore runs
each piece of untrusted work (a client's SPARQL query or update) in a child process made with
``fork()``:

- The child sees the store as it was at the fork, at no copying cost (the kernel shares the
  parent's pages until one side writes), so an in-memory store needs no second copy.
- It runs under an address-space limit (the parent's size plus ``memory`` bytes), a CPU-time
  limit and, for local stores, a seccomp filter that refuses every network socket: whatever a
  query says, it cannot reach another server. The parent kills it with ``SIGKILL`` at the time
  limit, which stops its CPU use at once and gives its memory back to the system.
- It hands back a pickled result, or an error (:mod:`kg.errors`), through a pipe. A child that
  dies (a signal, the memory limit, a crash in the engine) becomes an error of the caller, never
  the end of the caller's process.
- At most ``workers`` children run at once; work that finds no free worker within its time limit
  is refused with :class:`~kg.errors.BusyError`. The server's memory is thus bounded by its own
  size plus ``workers * memory``.

A child is forked from a process with other threads. The locks those threads may hold at that
moment are copied locked into the child; two guards keep that from hanging it: store writes in
this package take :func:`mutating`, which a fork waits for, and a child that sits idle (no CPU
time, no output) for ``stall`` seconds is taken for dead-locked, killed and started again, up
to four times. The second guard is for what the first cannot reach: an on-disk store's RocksDB
works on background threads of its own (flushes, compactions), and a fork while one of them
holds the database's lock leaves the child waiting for it forever. Under a steady stream of
writes that happens to about 3% of the queries of an on-disk store (and to none on a store in
memory); each such query takes a quarter of a second longer.

Linux only (fork, ``prctl``, seccomp); :func:`supported` says whether this process can use it.

>>> import os
>>> if supported():
...     Sandbox(workers=1).run(os.getpid, timeout=5) != os.getpid()
... else:
...     True
True
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import logging
import math
import os
import pickle
import platform
import queue
import resource
import select
import signal
import socket
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

from kg.errors import (
    BusyError,
    EvaluationCrashedError,
    KGError,
    MemoryLimitError,
    QueryTimeoutError,
)

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_WORKERS",
    "Sandbox",
    "mutating",
    "no_network",
    "supported",
    "writes",
]

T = TypeVar("T")

DEFAULT_MEMORY: Final = 1 << 30
"""Bytes a child may allocate beyond the size of the process it was forked from (1 GiB)."""

DEFAULT_WORKERS: Final = 4
"""Children that may run at once."""

_log = logging.getLogger("kg.sandbox")
_MUTATION = threading.RLock()
_WRITES = 0
_HEADER = struct.Struct("!Q")
_STALL_RETRIES = 4
_EXIT_UNREACHABLE = 70  # the child left its work without writing an outcome

# The child's outcome, first byte of its message.
_OK, _ERROR, _MEMORY = b"O", b"E", b"M"


@contextlib.contextmanager
def mutating() -> Iterator[None]:
    """Hold off forks while a store of this process is written.

    A fork in the middle of a write would copy the store's locks in a locked state into the
    child. Every write this package makes to a shared store runs inside this context, which
    also counts them (:func:`writes`).
    """
    global _WRITES
    with _MUTATION:
        try:
            yield
        finally:
            _WRITES += 1


def writes() -> int:
    """How many writes this process has made to its stores (through :func:`mutating`).

    What was worked out about a model (its validation, say) holds while this stays the same.
    """
    return _WRITES


def supported() -> bool:
    """Whether this process can run a :class:`Sandbox`: Linux with ``fork``."""
    return sys.platform == "linux" and hasattr(os, "fork")


class Sandbox:
    """Runs functions in forked children with a time limit, a memory limit and no network.

    Parameters
    ----------
    workers
        Children that may run at once; further calls wait for a free one.
    memory
        Bytes each child may allocate beyond the size of this process at the fork; ``None``
        for no limit.
    stall
        Seconds a child may sit with no CPU time used and nothing written before it is taken
        for dead-locked and started again.

    Raises
    ------
    ValueError
        A limit is not positive.
    RuntimeError
        The platform cannot fork (see :func:`supported`).
    """

    def __init__(
        self,
        *,
        workers: int = DEFAULT_WORKERS,
        memory: int | None = DEFAULT_MEMORY,
        stall: float = 0.25,
    ) -> None:
        if workers < 1:
            raise ValueError("a sandbox needs at least one worker")
        if memory is not None and memory < 1 << 20:
            raise ValueError("a sandbox's memory limit must be at least 1 MiB")
        if not supported():
            raise RuntimeError("forked sandboxes need Linux (fork, prctl, seccomp)")
        self.workers = workers
        self.memory = memory
        self.stall = stall
        self._slots = threading.BoundedSemaphore(workers)
        self._reaper = _Reaper()

    def __repr__(self) -> str:
        return f"Sandbox(workers={self.workers}, memory={self.memory})"

    @functools.cached_property
    def network_guard(self) -> bool:
        """Whether this kernel lets a child forbid itself network sockets (tried once)."""
        try:
            _program(), _libc()  # made once here, not in every child
        except OSError:
            return False
        try:
            return self.run(_network_refused, timeout=10, network=True, what="the probe")
        except KGError:
            return False

    def run(
        self,
        function: Callable[..., T],
        /,
        *args: Any,
        timeout: float | None,
        network: bool = False,
        what: str = "the query",
        source: str = "SPARQL query",
    ) -> T:
        """Call ``function(*args)`` in a child process and return its result.

        Parameters
        ----------
        function, args
            What to run; the result must pickle. An exception it raises is raised here (a
            :class:`~kg.errors.KGError` whole, anything else as
            :class:`~kg.errors.EvaluationCrashedError`).
        timeout
            Seconds for the whole call, waiting for a free worker included; ``None`` for no
            limit.
        network
            Whether the child may open network sockets (a remote store needs them).
        what
            How error messages name the work.
        source
            What the limit errors (:class:`~kg.errors.QueryError` subclasses) say they are about.

        Raises
        ------
        QueryTimeoutError
            The time limit was reached; the child was killed.
        MemoryLimitError
            The child needed more than the memory limit; it was stopped.
        BusyError
            No worker became free within the time limit.
        EvaluationCrashedError
            The child died without an answer.
        """
        # Probed before a worker slot is taken: the probe needs one of its own.
        allow_network = network or not self.network_guard
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        if not self._slots.acquire(timeout=timeout):
            raise BusyError(
                f"the server was busy with {self.workers} other evaluations for the whole "
                f"time limit of {timeout:g} s, so {what} was not started; try again"
                if timeout is not None
                else f"the server could not start {what}",
                source=source,
            )
        try:
            for _ in range(_STALL_RETRIES + 1):
                outcome = self._attempt(function, args, deadline, network, allow_network)
                if outcome is not _Stalled:
                    break
                _log.info("a worker evaluating %s hung on a lock held at the fork; again", what)
            else:
                raise EvaluationCrashedError(
                    f"{what} could not be started: its worker process hung "
                    f"{_STALL_RETRIES + 1} times"
                )
        finally:
            self._slots.release()
        if isinstance(outcome, _Killed):
            limit = math.inf if timeout is None else timeout
            raise outcome.error(what, source, limit, self.memory)
        return outcome  # type: ignore[no-any-return]

    def _attempt(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        deadline: float,
        network: bool,
        allow_network: bool,
    ) -> Any:
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        left = deadline - time.monotonic()
        cpu_seconds = None if math.isinf(left) else max(1, math.ceil(left) + 1)
        parent = os.getpid()
        with _MUTATION:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                _child(
                    function,
                    args,
                    parent=parent,
                    out=out_write,
                    err=err_write,
                    keep=(out_write, err_write),
                    close=(out_read, err_read),
                    memory=self.memory,
                    cpu_seconds=cpu_seconds,
                    network=allow_network,
                )
        os.close(out_write)
        os.close(err_write)
        try:
            # A child that may wait on the network may sit idle without being stuck.
            return self._collect(pid, out_read, err_read, deadline, watch=not network)
        finally:
            os.close(out_read)
            os.close(err_read)

    def _collect(self, pid: int, out: int, err: int, deadline: float, watch: bool) -> Any:
        data = bytearray()
        stderr = bytearray()
        poller = select.poll()
        for fd in (out, err):
            poller.register(fd, select.POLLIN | select.POLLHUP)
        open_fds = {out, err}
        started = idle_since = time.monotonic()
        cpu, measured = _cpu_ticks(pid), started
        while open_fds:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                self._kill(pid)
                return _Killed("timeout")
            # The address-space limit lets a child also fill what the allocator had reserved
            # in the parent; its private memory is measured too, from the time a query stops
            # being a short one.
            if self.memory is not None and now - started > 0.2 and now - measured >= 0.1:
                measured = now
                if _private_bytes(pid) > self.memory:
                    self._kill(pid)
                    return _Killed("memory")
            events = poller.poll(min(50.0, left * 1000))
            for fd, _ in events:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.discard(fd)
                    poller.unregister(fd)
                elif fd == out:
                    data += chunk
                    idle_since = time.monotonic()
                    if _complete(data):
                        # The child is done; its exit (the unmapping of its memory) is the
                        # reaper's to wait for, not the caller's.
                        open_fds.clear()
                        break
                else:
                    stderr = (stderr + chunk)[-4096:]
            if watch and not events and time.monotonic() - idle_since >= self.stall:
                now_cpu = _cpu_ticks(pid)
                if now_cpu is not None and now_cpu == cpu and _sleeping(pid):
                    self._kill(pid)
                    return _Stalled
                cpu, idle_since = now_cpu, time.monotonic()
        if _complete(data):
            self._reaper.later(pid)
            return _decode(bytes(data[_HEADER.size :]))
        return _Killed.from_status(self._reaper.wait(pid), bytes(stderr))

    def _kill(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self._reaper.later(pid)


class _StalledType:
    pass


_Stalled: Final = _StalledType()


class _Killed:
    """How a child ended without an answer."""

    def __init__(self, cause: str, detail: str = "") -> None:
        self.cause, self.detail = cause, detail

    @classmethod
    def from_status(cls, status: int | None, stderr: bytes) -> _Killed:
        said = stderr.decode("utf-8", "replace")
        lines = said.strip().splitlines()
        words = lines[-1] if lines else ""
        # Rust reports an allocation the address-space limit refused, then aborts.
        if "memory allocation of" in said or "MemoryError" in said:
            return cls("memory")
        if status is None:
            return cls("crash", "it ended in an unknown way")
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number in (signal.SIGXCPU, signal.SIGKILL):
                return cls("timeout")
            name = signal.Signals(number).name
            return cls("crash", f"it was stopped by signal {number} ({name})" + _said(words))
        return cls("crash", f"it exited with status {os.WEXITSTATUS(status)}" + _said(words))

    def error(self, what: str, source: str, timeout: float, memory: int | None) -> KGError:
        if self.cause == "timeout":
            return QueryTimeoutError(
                f"{what} ran longer than its time limit of {timeout:g} s and was stopped",
                source=source,
            )
        if self.cause == "memory":
            limit = "its memory limit" if memory is None else f"its memory limit of {_mib(memory)}"
            return MemoryLimitError(
                f"{what} needed more than {limit} and was stopped", source=source
            )
        return EvaluationCrashedError(
            f"the process evaluating {what} died without an answer: {self.detail}; "
            "this server is unaffected"
        )


def _said(words: str) -> str:
    return f" after writing {words[:200]!r}" if words else ""


def _mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"


def _complete(data: bytearray) -> bool:
    if len(data) < _HEADER.size:
        return False
    length: int = _HEADER.unpack_from(data)[0]
    return len(data) == _HEADER.size + length


def _decode(message: bytes) -> Any:
    kind, body = message[:1], message[1:]
    if kind == _MEMORY:
        return _Killed("memory")
    value = pickle.loads(body)
    if kind == _ERROR:
        raise value
    return value


class _Reaper:
    """Collects the exit status of children nobody waits for, on one daemon thread."""

    def __init__(self) -> None:
        self._pids: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def wait(self, pid: int) -> int | None:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return None

    def later(self, pid: int) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="kg-sandbox-reaper", daemon=True
                )
                self._thread.start()
        self._pids.put(pid)

    def _loop(self) -> None:
        while True:
            self.wait(self._pids.get())


def _private_bytes(pid: int) -> int:
    """Memory a process holds for itself alone (pages it shares with its parent not counted)."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return total


def _cpu_ticks(pid: int) -> int | None:
    fields = _stat(pid)
    return None if fields is None else int(fields[11]) + int(fields[12])


def _sleeping(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] == "S"


def _stat(pid: int) -> list[str] | None:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


# --------------------------------------------------------------------------------------------
# The child


def _child(  # pragma: no cover - runs only in the forked child
    function: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    parent: int,
    out: int,
    err: int,
    keep: tuple[int, ...],
    close: tuple[int, ...],
    memory: int | None,
    cpu_seconds: int | None,
    network: bool,
) -> None:
    """Set the child up, run the work, write the outcome and leave; never returns."""
    global _MUTATION
    status = _EXIT_UNREACHABLE
    try:
        # The fork happened while the parent held this lock; the child's copy is held by no one.
        _MUTATION = threading.RLock()
        for fd in close:
            os.close(fd)
        try:
            _set_up(parent, keep, err, memory, cpu_seconds, network)
        except Exception as error:
            message = _ERROR + pickle.dumps(
                EvaluationCrashedError(f"the worker process could not be set up: {error}")
            )
        else:
            message = _run(function, args)
        _write_all(out, _HEADER.pack(len(message)) + message)
        status = 0
    except MemoryError:
        with contextlib.suppress(BaseException):
            _write_all(out, _HEADER.pack(1) + _MEMORY)
            status = 0
    finally:
        os._exit(status)


def _set_up(  # pragma: no cover - child only
    parent: int,
    keep: tuple[int, ...],
    err: int,
    memory: int | None,
    cpu_seconds: int | None,
    network: bool,
) -> None:
    # A collection would write to every object it visits, copying the pages the child shares
    # with the parent; a child lives too short to need one.
    gc.disable()
    _die_with(parent)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    _close_sockets(keep)
    os.dup2(err, 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpu_seconds is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if memory is not None:
        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if not network:
        no_network()
    sys.setrecursionlimit(20_000)


def _run(function: Callable[..., Any], args: tuple[Any, ...]) -> bytes:  # pragma: no cover
    try:
        return _OK + pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return _MEMORY
    except KGError as error:
        return _ERROR + pickle.dumps(error)
    except RecursionError:
        crash = EvaluationCrashedError("the work went deeper than the interpreter's recursion")
        return _ERROR + pickle.dumps(crash)
    except BaseException as error:
        crash = EvaluationCrashedError(f"{type(error).__name__}: {error}")
        return _ERROR + pickle.dumps(crash)


def _network_refused() -> bool:  # pragma: no cover - child only
    try:
        no_network()
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError:
        return True
    return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _die_with(parent: int) -> None:  # pragma: no cover - child only
    # PR_SET_PDEATHSIG: the child is killed when the thread that forked it ends; the check
    # after it catches a parent that ended before the call.
    _libc().prctl(1, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(_EXIT_UNREACHABLE)


def _close_sockets(keep: tuple[int, ...]) -> None:  # pragma: no cover - child only
    # The parent's client connections and listening sockets must not outlive it in the child
    # (a connection the parent closes stays open while a copy of it is held). Each is replaced
    # by /dev/null rather than closed: the Python objects that owned them close their number
    # when collected, which must not hit a file the child has opened since.
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in keep or fd == null:
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
    finally:
        os.close(null)


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------------------------
# seccomp: no network sockets

# A classic BPF program over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}: for
# this architecture's system calls, socket() is allowed only for AF_UNIX, io_uring (which can
# open sockets by itself) is refused, and so are x32 calls; everything else is allowed. Calls
# of another architecture are refused.
_ARCHITECTURES: Final = {
    # machine: (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup)
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_AF_UNIX = 1
_X32_BIT = 0x40000000


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _filter_program(arch: int, nr_socket: int, nr_io_uring: int) -> list[tuple[int, int, int, int]]:
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    return [
        (_LD_W_ABS, 0, 0, 4),  # 0: arch
        (_JEQ_K, 0, 7, arch),  # 1: another architecture -> 9 (deny)
        (_LD_W_ABS, 0, 0, 0),  # 2: system call number
        (_JGE_K, 5, 0, _X32_BIT),  # 3: x32 -> 9 (deny)
        (_JEQ_K, 4, 0, nr_io_uring),  # 4: io_uring_setup -> 9 (deny)
        (_JEQ_K, 0, 2, nr_socket),  # 5: not socket() -> 8 (allow)
        (_LD_W_ABS, 0, 0, 16),  # 6: socket's domain (low word of args[0])
        (_JEQ_K, 0, 1, _AF_UNIX),  # 7: AF_UNIX -> 8 (allow), else 9 (deny)
        (_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # 8
        (_RET_K, 0, 0, deny),  # 9
    ]


def no_network() -> None:
    """Forbid this process, for the rest of its life, to open any socket but a Unix one.

    Installs a seccomp filter (after ``PR_SET_NO_NEW_PRIVS``, so no privilege is needed);
    ``socket()`` then fails with ``EACCES``. Meant for a forked child: the filter cannot be
    lifted.

    Raises
    ------
    OSError
        The kernel refused the filter, or the architecture is not one this knows.
    """
    fprog = _program()
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


@functools.cache
def _program() -> _SockFprog:
    machine = platform.machine()
    if machine not in _ARCHITECTURES:
        raise OSError(errno.ENOSYS, f"no seccomp filter for the {machine} architecture")
    program = _filter_program(*_ARCHITECTURES[machine])
    instructions = (_SockFilter * len(program))(*(_SockFilter(*i) for i in program))
    return _SockFprog(len(program), instructions)


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL:
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC
