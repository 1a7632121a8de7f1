"""AF_INET over loopback: a server thread echoes one message (every profile isolates the network)."""
import socket
import threading
from jobs.outcome import report


def run():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def echo():
        conn, _ = srv.accept()
        with conn:
            conn.sendall(conn.recv(64))

    t = threading.Thread(target=echo)
    t.start()
    with socket.create_connection(srv.getsockname(), timeout=10) as c:
        c.sendall(b"ping")
        got = c.recv(64)
    t.join()
    srv.close()
    return got.decode()


report("inet_socket", run)
