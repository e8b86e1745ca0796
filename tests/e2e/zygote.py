"""A warm `earshot` for the end-to-end tests: one process that has imported the CLI and loaded its models, forking a
child for each command the tests run.

A new `earshot` process spends one to two seconds of CPU importing SQLAlchemy, pydantic, the chat SDKs, numpy and
the shipped models before it reads its arguments; the end-to-end tests start it more than a thousand times. Each
command is still its own process with its own pid, standard streams, working directory, environment, exit code and
signals: `launch.py` (started by the test as the command) hands this server its argv, cwd, environment and its
standard streams (the file descriptors themselves, over a Unix socket), the server forks a child that runs
``main(argv)`` on them, and sends back its pid and then its wait status, which the launcher forwards signals to and
exits with. A launcher that dies (SIGKILL, a test's timeout) takes its child with it.

Only the server imports anything before a fork and it starts no thread, so each child starts as a fresh process
would, less the imports. Tests that need the command's own process (its pid in a lock file, or what a fresh
process imports) use the real thing: ``@pytest.mark.real_process``, or ``EARSHOT_TEST_NO_ZYGOTE=1`` for a whole run.

Usage: python zygote.py SOCKET_PATH  (prints "ready" once it listens)
"""

from __future__ import annotations

import array
import atexit
import contextlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import traceback

HEADER = struct.Struct("!I")
STREAMS = 3  # stdin, stdout, stderr


def warm() -> None:
    """Import what commands import, and load what they load once per process (the models are read-only)."""
    import aiohttp  # noqa: F401
    import alembic.command  # noqa: F401
    import apscheduler.schedulers.asyncio  # noqa: F401
    import sqlalchemy.dialects.postgresql.asyncpg
    import sqlalchemy.dialects.sqlite.aiosqlite  # noqa: F401

    from earshot.adapters.cli import app, builders, commands, doctor, main  # noqa: F401
    from earshot.adapters.settings import load_settings  # noqa: F401
    from earshot.bot.finding import intent_model, language

    builders.shared_embedder()
    intent_model.shipped()
    language._identifier()
    for optional in ("discord", "slack_bolt.async_app", "slack_sdk.web.async_client", "matplotlib.pyplot"):
        # An extra not installed: the command imports it (and fails) as it would alone.
        with contextlib.suppress(ImportError):
            __import__(optional)


def receive(conn: socket.socket) -> tuple[list[int], dict[str, object]]:
    """The launcher's request: its three standard streams and {argv, cwd, env}."""
    fds = array.array("i")
    data, ancillary, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(STREAMS * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        more = conn.recv(65536)
        if not more:
            raise EOFError("the launcher left mid-request")
        data += more
    (size,) = HEADER.unpack_from(data)
    return list(fds), json.loads(data[HEADER.size : HEADER.size + size])


def child(fds: list[int], request: dict[str, object]) -> None:
    """In the forked child: become the command, run it, and exit as `python -m earshot.adapters.cli.main` would."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.chdir(str(request["cwd"]))
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    argv = request["argv"]
    assert isinstance(argv, list)
    from earshot.adapters.cli import main as cli

    sys.argv = [cli.__file__, *argv]
    code = 1
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # as the interpreter does: die of the signal
        atexit._run_exitfuncs()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError):
            code = code or 120
    os._exit(code & 0xFF)


class Server:
    """Accepts launchers, forks their commands, reports each command's pid and wait status."""

    def __init__(self, path: str) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, ("accept", None))
        self.running: dict[int, tuple[socket.socket, int]] = {}  # pid -> (launcher connection, pidfd)

    def serve(self) -> None:
        while True:
            for key, _ in self.selector.select():
                what, pid = key.data
                if what == "accept":
                    self.accept()
                elif what == "launcher-left":
                    self.launcher_left(pid)
                else:
                    self.exited(pid)

    def accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            fds, request = receive(conn)
        except (OSError, EOFError, ValueError):
            conn.close()
            return
        assert threading.active_count() == 1, "a thread before fork"
        pid = os.fork()
        if pid == 0:
            self.selector.close()
            self.listener.close()
            for other, pidfd in self.running.values():
                other.close()
                os.close(pidfd)
            conn.close()
            child(fds, request)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        self.running[pid] = (conn, pidfd)
        conn.sendall(HEADER.pack(pid))
        self.selector.register(conn, selectors.EVENT_READ, ("launcher-left", pid))
        self.selector.register(pidfd, selectors.EVENT_READ, ("exited", pid))

    def launcher_left(self, pid: int) -> None:
        """The launcher is gone (killed, or timed out by the test): so is its command, as if it had been the one."""
        conn, _ = self.running[pid]
        self.selector.unregister(conn)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def exited(self, pid: int) -> None:
        conn, pidfd = self.running.pop(pid)
        _, status = os.waitpid(pid, 0)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        with contextlib.suppress(KeyError):  # the launcher left first
            self.selector.unregister(conn)
        with contextlib.suppress(OSError):
            conn.sendall(HEADER.pack(status))
        conn.close()


def run(path: str) -> None:
    warm()
    server = Server(path)
    print("ready", flush=True)
    server.serve()


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder: the commands import as they would from an installed `earshot`
    run(sys.argv[1])
