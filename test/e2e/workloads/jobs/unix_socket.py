"""AF_UNIX: a socketpair, then a listening socket in the abstract namespace (no file needed)."""
import os
import socket
import threading
from jobs.outcome import report


def run():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.sendall(b"pair")
    first = b.recv(16)
    a.close()
    b.close()
    name = f"\0openclaw-job-{os.getpid()}"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(name)
    srv.listen(1)

    def echo():
        conn, _ = srv.accept()
        with conn:
            conn.sendall(conn.recv(16))

    t = threading.Thread(target=echo)
    t.start()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(name)
        c.sendall(b"abstract")
        second = c.recv(16)
    t.join()
    srv.close()
    return f"{first.decode()} {second.decode()}"


report("unix_socket", run)
