"""ConsoleReader over pyserial on a pty and on pyserial's loop:// URL."""

from __future__ import annotations

import os
import time
import tty
from collections.abc import Callable, Iterator

import pytest

from commission.errors import UsageError
from commission.miner.console import ConsoleReader, take_lines


def _wait(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)


def test_pty_console_lines_fatal_and_chain_detection(pty_pair: tuple[int, str]) -> None:
    master, path = pty_pair
    seen: list[str] = []
    with ConsoleReader(path, on_line=seen.append) as reader:
        os.write(master, b"U-Boot 2013.01\r\nChain[J2] has 18 asic\r\nChain[J7] has 1")
        os.write(master, b"7 asic\r\nFatal Error: Fan lost!\r\n")
        _wait(lambda: len(reader.lines()) == 4)
        assert reader.lines()[1] == "Chain[J2] has 18 asic"
        assert reader.chain_detections() == {2: 18, 7: 17}
        assert reader.fatal_lines() == [(4, "Fatal Error: Fan lost!")]
        assert reader.error is None and reader.running
    assert seen == reader.lines()
    assert not reader.running


def test_loop_url_and_overlong_line() -> None:
    with ConsoleReader("loop://") as reader:
        assert reader._port is not None
        reader._port.write(b"x" * 5000 + b"\n")
        _wait(lambda: len(reader.lines()) == 2)
    assert [len(line) for line in reader.lines()] == [4096, 904]


def test_missing_port_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="/dev/does-not-exist"):
        ConsoleReader("/dev/does-not-exist").start()


def test_port_that_vanishes_is_recorded() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    reader = ConsoleReader(os.ttyname(slave))
    reader.start()
    try:
        os.write(master, b"booting\n")
        _wait(lambda: reader.lines() == ["booting"])
        os.close(master)
        _wait(lambda: reader.error is not None)
        assert "stopped" in (reader.error or "")
    finally:
        reader.stop()
        os.close(slave)


def test_take_lines_cuts_an_overlong_line_that_arrived_whole() -> None:
    pending = bytearray(b"y" * 5000 + b"\nnext")
    assert [len(line) for line in take_lines(pending)] == [4096, 904]
    assert pending == bytearray(b"next")


def test_take_lines_keeps_a_short_unfinished_line() -> None:
    pending = bytearray(b"a\r\nb")
    assert take_lines(pending) == [b"a\r"]
    assert pending == bytearray(b"b")
