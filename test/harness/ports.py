"""Free loopback TCP ports chosen at run time."""
import socket
import threading

_lock = threading.Lock()
_handed_out: set[int] = set()


def free_port() -> int:
    """A port that is free on 127.0.0.1 now and was not handed out before in this process.

    The OS picks the port; remembering it avoids giving the same one to two
    servers started back to back before either has bound it.
    """
    with _lock:
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            if port not in _handed_out:
                _handed_out.add(port)
                return port
    raise RuntimeError("no free port found")
