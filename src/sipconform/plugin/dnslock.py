"""The lock that lets one pytest process at a time serve DNS on an address (``plugin.dns``).

The lock file lives in a folder of the user's own (``<tmp>/sipconform-<uid>``, mode 0o700, refused if it is
a link or anyone else's), is opened without following links and created with mode 0o600, and is removed by
its holder when done. The wait is a blocking ``flock`` with a deadline (in a helper thread: no polling,
no sleeps); a holder that removed the file hands the next process a fresh one (the inode is checked after
each acquisition).
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["address_lock", "lock_folder"]


def lock_folder() -> Path:
    """``<tmp>/sipconform-<uid>``: made private if missing; an error if it is a link or not private."""
    folder = Path(tempfile.gettempdir()) / f"sipconform-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise RuntimeError(f"{folder} is not a private folder of this user (a link, another user's, or open to "
                           f"others): the suite will not put its lock files there")
    return folder


@contextmanager
def address_lock(host: str, port: int, wait: float) -> Iterator[Path]:
    """Hold the lock of the DNS address ``host:port`` (waiting at most ``wait`` s); yields the lock file."""
    path = lock_folder() / f"dns-{host.replace(':', '_')}-{port}.lock"
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise RuntimeError(f"cannot open the DNS lock file {path} (a link?): {exc}") from None
        if not _flock_within(fd, deadline - time.monotonic()):
            raise RuntimeError(f"the DNS address {host}:{port} stayed in use by another sipconform process for "
                               f"{wait:g} s ({path})")
        if _still_at(fd, path):
            break
        os.close(fd)  # its holder removed the file while we waited: lock the fresh one
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)  # while still holding it: the next process takes a fresh file
        os.close(fd)


def _still_at(fd: int, path: Path) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _flock_within(fd: int, wait: float) -> bool:
    """Take an exclusive ``flock`` on ``fd`` within ``wait`` s. On False ``fd`` belongs to a helper thread
    still waiting, which closes it (releasing the lock at once) if it ever gets it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    got = threading.Event()
    state = threading.Lock()
    abandoned = False

    def take() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass
        with state:
            if abandoned:
                os.close(fd)
            else:
                got.set()

    threading.Thread(target=take, name="sipconform-dns-lock", daemon=True).start()
    if got.wait(max(wait, 0.0)):
        return True
    with state:
        if got.is_set():
            return True
        abandoned = True
    return False
