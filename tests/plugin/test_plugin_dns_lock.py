"""The DNS fixture's lock files: private (0o600, in a 0o700 folder of the user's own), never through a
link, removed at the end; a second process waits for the lock without polling, within its deadline."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest

from sipconform.plugin.dnslock import address_lock, lock_folder


def test_the_lock_file_is_private_and_removed_at_the_end() -> None:
    with address_lock("127.0.0.1", 5399, wait=1.0) as path:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        assert path.parent == lock_folder()
    assert not path.exists()


def test_a_link_in_place_of_the_lock_file_is_not_followed(tmp_path) -> None:
    target = tmp_path / "victim"
    target.write_text("untouched")
    path = lock_folder() / "dns-127.0.0.1-5398.lock"
    path.unlink(missing_ok=True)
    path.symlink_to(target)
    try:
        with pytest.raises(RuntimeError, match="cannot open the DNS lock file .*a link"):
            with address_lock("127.0.0.1", 5398, wait=1.0):
                pass
    finally:
        path.unlink()
    assert target.read_text() == "untouched"


def test_a_second_holder_waits_for_the_first_then_gets_a_fresh_file() -> None:
    order: list[str] = []

    def second() -> None:
        with address_lock("127.0.0.1", 5397, wait=10.0):
            order.append("second")

    with address_lock("127.0.0.1", 5397, wait=1.0) as first_path:
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.3)  # it is blocked on the lock meanwhile
        assert waiter.is_alive() and order == []
        order.append("first")
    waiter.join(10)
    assert order == ["first", "second"] and not first_path.exists()


def test_a_lock_held_too_long_is_one_clear_error_within_the_wait() -> None:
    with address_lock("127.0.0.1", 5396, wait=1.0):
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="stayed in use by another sipconform process for 0.2 s"):
            with address_lock("127.0.0.1", 5396, wait=0.2):
                pass
        assert time.monotonic() - started < 2
