"""kg.sandbox: work in a forked child that is stopped at its limits, whatever it does."""

from __future__ import annotations

import os
import pickle
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from kg.errors import (
    BusyError,
    EvaluationCrashedError,
    MemoryLimitError,
    NotFoundError,
    QueryError,
    QueryTimeoutError,
    RDFSyntaxError,
    WriteRejectedError,
)
from kg.sandbox import Sandbox, mutating, no_network, supported

pytestmark = pytest.mark.skipif(not supported(), reason="the sandbox needs Linux (fork)")


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(workers=2, memory=256 << 20)


def children() -> list[int]:
    """Processes whose parent is this one (zombies included)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    text = handle.read()
            except OSError:
                continue
            if int(text[text.rindex(")") + 2 :].split()[1]) == os.getpid():
                found.append(int(name))
    return found


def settled(seconds: float = 3.0) -> Iterator[None]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield
        time.sleep(0.05)


def no_children_left(before: set[int]) -> bool:
    return any(not set(children()) - before for _ in settled())


def spin() -> None:
    while True:
        pass


def hoard() -> None:
    kept = []
    while True:
        kept.append(bytearray(16 << 20))


def crash() -> None:
    import ctypes

    ctypes.string_at(0)


def connect(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        return "connected"


def refuse(error: Exception) -> None:
    raise error


def test_the_result_comes_back_from_another_process(sandbox: Sandbox) -> None:
    assert sandbox.run(os.getpid, timeout=10) != os.getpid()
    assert sandbox.run(sorted, [3, 1, 2], timeout=10) == [1, 2, 3]


def test_a_timed_out_child_is_killed_and_its_cpu_given_back(sandbox: Sandbox) -> None:
    before = set(children())
    start = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="ran longer than its time limit of 0.5 s"):
        sandbox.run(spin, timeout=0.5)
    assert time.monotonic() - start < 2
    assert no_children_left(before)


def test_memory_beyond_the_limit_stops_the_child(sandbox: Sandbox) -> None:
    before = set(children())
    with pytest.raises(MemoryLimitError, match="more than its memory limit of 256 MiB"):
        sandbox.run(hoard, timeout=20)
    assert no_children_left(before)


def test_a_crash_is_an_error_not_the_end_of_this_process(sandbox: Sandbox) -> None:
    crashed = r"signal 11 \(SIGSEGV\).*server is unaffected"
    with pytest.raises(EvaluationCrashedError, match=crashed):
        sandbox.run(crash, timeout=10)
    assert sandbox.run(int, "7", timeout=10) == 7


@pytest.mark.parametrize(
    "error",
    [
        QueryError("expected OPTIONAL", line=2, column=7, source="SPARQL update"),
        RDFSyntaxError("bad", path="x.ttl", format_name="Turtle", line=1, column=2),
        NotFoundError("urn:x:a", what="segment"),
    ],
)
def test_library_errors_reach_the_caller_whole(sandbox: Sandbox, error: Exception) -> None:
    with pytest.raises(type(error)) as raised:
        sandbox.run(refuse, error, timeout=10)
    assert raised.value.__dict__ == error.__dict__
    assert str(raised.value) == str(error)


def test_library_errors_pickle_with_their_attributes() -> None:
    class Report:
        def counts(self) -> dict[str, int]:
            return {"Violation": 1}

    error = WriteRejectedError(Report())
    copy = pickle.loads(pickle.dumps(QueryError("x", line=3, column=4)))
    assert (copy.line, copy.column, copy.detail) == (3, 4, "x")
    assert pickle.loads(pickle.dumps(NotFoundError("urn:a"))).iri == "urn:a"
    assert isinstance(error, WriteRejectedError)


def test_other_exceptions_become_crash_errors_with_their_text(sandbox: Sandbox) -> None:
    with pytest.raises(EvaluationCrashedError, match="ZeroDivisionError: integer division"):
        sandbox.run(divmod, 1, 0, timeout=10)


def test_a_child_cannot_open_a_network_socket(sandbox: Sandbox) -> None:
    if not sandbox.network_guard:
        pytest.skip("this kernel refuses seccomp filters")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(EvaluationCrashedError, match="Permission denied"):
            sandbox.run(connect, port, timeout=10)
        listener.settimeout(0.2)
        with pytest.raises(TimeoutError):
            listener.accept()
        assert sandbox.run(connect, port, timeout=10, network=True) == "connected"


def test_the_filter_leaves_unix_sockets_alone() -> None:
    def pair() -> bool:
        no_network()
        left, right = socket.socketpair()
        left.close()
        right.close()
        return True

    assert Sandbox(workers=1).run(pair, timeout=10)


def test_a_dead_locked_child_is_started_again() -> None:
    # A lock held by another thread at the fork stays held in the child: the child stalls.
    lock = threading.Lock()
    lock.acquire()
    attempts = []

    def take() -> bool:
        attempts.append(1)
        return lock.acquire(timeout=30)

    sandbox = Sandbox(workers=1, stall=0.3)
    start = time.monotonic()
    with pytest.raises(EvaluationCrashedError, match="its worker process hung 5 times"):
        sandbox.run(take, timeout=20)
    assert time.monotonic() - start < 5
    lock.release()
    assert sandbox.run(take, timeout=20) is True


def test_no_worker_free_within_the_limit_is_busy() -> None:
    sandbox = Sandbox(workers=1)
    started = threading.Event()

    def occupy() -> None:
        started.set()
        with pytest.raises(QueryTimeoutError):
            sandbox.run(spin, timeout=2)

    worker = threading.Thread(target=occupy)
    worker.start()
    started.wait()
    time.sleep(0.2)
    with pytest.raises(BusyError, match="busy with 1 other evaluations"):
        sandbox.run(int, timeout=0.5)
    worker.join()
    assert sandbox.run(int, "3", timeout=5) == 3


def test_forks_wait_for_writes_in_progress() -> None:
    sandbox = Sandbox(workers=1)
    order: list[str] = []

    def write() -> None:
        with mutating():
            order.append("write starts")
            time.sleep(0.5)
            order.append("write ends")

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.1)
    sandbox.run(int, timeout=10)
    order.append("forked")
    writer.join()
    assert order == ["write starts", "write ends", "forked"]


def test_children_are_reaped(sandbox: Sandbox) -> None:
    before = set(children())
    for _ in range(20):
        sandbox.run(int, timeout=10)
    assert no_children_left(before)


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        Sandbox(workers=0)
    with pytest.raises(ValueError, match="at least 1 MiB"):
        Sandbox(memory=1000)
