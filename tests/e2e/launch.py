"""`earshot ARGS` run by the warm server (zygote.py): what an end-to-end test starts as the command.

It hands the server its argv, working directory, environment and standard streams, forwards the signals it gets to
the command, and exits as the command did (with its code, or killed by its signal). Standard library only, started
with ``python -I -S``: it costs a few milliseconds, not the CLI's imports.

Usage: python -I -S launch.py SOCKET_PATH ARGS...
"""

import array
import contextlib
import json
import os
import signal
import socket
import struct
import sys

HEADER = struct.Struct("!I")
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = conn.recv(size - len(data))
        if not more:
            sys.stderr.write("launch.py: the warm earshot server went away\n")
            os._exit(70)
        data += more
    return data


def main() -> None:
    path, argv = sys.argv[1], sys.argv[2:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    body = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    message = HEADER.pack(len(body)) + body
    sent = conn.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0, 1, 2]))])
    conn.sendall(message[sent:])

    pending: list[int] = []
    child = 0

    def forward(sig: int, _frame: object) -> None:
        if child:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, sig)
        else:
            pending.append(sig)

    for sig in FORWARDED:
        signal.signal(sig, forward)
    (child,) = HEADER.unpack(read_exactly(conn, HEADER.size))
    for sig in pending:
        os.kill(child, sig)
    (status,) = HEADER.unpack(read_exactly(conn, HEADER.size))
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


if __name__ == "__main__":
    main()
