"""Target words and files: every form farms write, duplicates, and bad entries named with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from commission.errors import UsageError
from commission.headless import inventory
from commission.headless.targets import MAX_BLOCK, Target, expand, resolve


@pytest.mark.parametrize(
    ("word", "hosts"),
    [
        ("10.1.2.3", ["10.1.2.3"]),
        ("10.1.2.3:4029", ["10.1.2.3:4029"]),
        ("[fd00::3]:4028", ["fd00::3"]),
        ("fd00::3", ["fd00::3"]),
        ("miner-17.farm", ["miner-17.farm"]),
        ("10.1.2.0/30", ["10.1.2.1", "10.1.2.2"]),
        ("10.1.2.7/32", ["10.1.2.7"]),
        ("10.1.2.0/30:4029", ["10.1.2.1:4029", "10.1.2.2:4029"]),
        ("10.1.2.10-10.1.2.12", ["10.1.2.10", "10.1.2.11", "10.1.2.12"]),
        ("10.1.2.10-12", ["10.1.2.10", "10.1.2.11", "10.1.2.12"]),
        ("10.1.2.254-10.1.3.1", ["10.1.2.254", "10.1.2.255", "10.1.3.0", "10.1.3.1"]),
        ("10.1.2.10-11:4029", ["10.1.2.10:4029", "10.1.2.11:4029"]),
    ],
)
def test_every_target_form_expands(word: str, hosts: list[str]) -> None:
    assert [str(target) for target in expand(word)] == hosts


def test_a_24_is_its_254_host_addresses() -> None:
    block = expand("10.1.2.0/24")
    assert len(block) == 254
    assert (block[0].host, block[-1].host) == ("10.1.2.1", "10.1.2.254")


@pytest.mark.parametrize(
    ("word", "fragment"),
    [
        ("10.1.2.300", "not an IPv4 address"),
        ("10.1.2.60-10", "runs backwards"),
        ("10.1.2.10-300", "more than 255"),
        ("10.1.2.10-10.1.x.2", "not an IPv4 address"),
        ("10.0.0.0/8", "split it"),
        ("10.1.2.0/33", "not a CIDR block"),
        ("10.1.2.3:0", "port '0'"),
        ("10.1.2.3:", "followed by the RPC port"),
        ("fd00::3:4028:x", "[ADDRESS]:PORT"),
        ("a b", "not a host name"),
    ],
)
def test_bad_words_say_what_is_wrong(word: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve([word])
    assert "argument 1" in str(caught.value)
    assert fragment in str(caught.value)


def test_block_limit_is_a_16() -> None:
    assert len(expand("10.1.0.0/16")) == MAX_BLOCK - 2


def test_duplicates_are_dropped_first_wins_and_order_kept() -> None:
    targets = resolve(["10.1.2.2", "10.1.2.1-3", "10.1.2.0/30", "10.1.2.2:4028", "10.1.2.2:4029"])
    assert [str(t) for t in targets] == ["10.1.2.2", "10.1.2.1", "10.1.2.3", "10.1.2.2:4029"]


def test_hosts_file_with_comments_and_every_bad_line_named(tmp_path: Path) -> None:
    good = tmp_path / "row7.txt"
    good.write_text("# row 7, shelf A\n10.1.7.10-12  # first three\n\n10.1.7.20\n10.1.7.10\n")
    assert [str(t) for t in resolve([], [good])] == [
        "10.1.7.10",
        "10.1.7.11",
        "10.1.7.12",
        "10.1.7.20",
    ]
    bad = tmp_path / "typos.txt"
    bad.write_text("10.1.7.1\n10.1.7.300\n# fine\n10.1.7.9-2\n")
    with pytest.raises(UsageError) as caught:
        resolve(["10.1.7.5"], [bad])
    message = str(caught.value)
    assert message.startswith("2 bad targets")
    assert f"{bad} line 2: target '10.1.7.300'" in message
    assert f"{bad} line 4: target '10.1.7.9-2'" in message


def test_missing_hosts_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        resolve([], [tmp_path / "nope.txt"])


def test_an_inventory_is_read_as_a_hosts_file_with_mac_and_label(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    inventory.write(
        path,
        [
            inventory.InventoryRow("10.1.7.10", kind=inventory.KIND_S9_HYDRO, source="scan"),
            inventory.InventoryRow("10.1.7.11:4029", mac="02:5a:00:00:00:01", source="scan"),
        ],
    )
    appender = inventory.Appender(path)
    appender.append(
        inventory.InventoryRow("10.1.7.10", mac="02-5A-00-00-00-0A", label="7/1/1", source="button")
    )
    appender.close()
    targets = resolve([], [path])
    assert targets == [
        Target("10.1.7.10", 4028, mac="02:5A:00:00:00:0A", label="7/1/1"),
        Target("10.1.7.11", 4029, mac="02:5A:00:00:00:01"),
    ]


def test_a_broken_inventory_names_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_text(inventory.HEADER + "\n10.1.7.10,nonsense,,,,,,\n,,,,,,,\n10.1.7.12,,,,\n")
    with pytest.raises(UsageError) as caught:
        resolve([], [path])
    message = str(caught.value)
    assert "line 2: 'nonsense' is not a MAC address" in message
    assert "line 4: 5 cells, expected 8" in message


def test_appending_to_a_file_that_is_not_an_inventory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("10.1.7.10\n")
    with pytest.raises(inventory.InventoryError, match="not an inventory"):
        inventory.Appender(path)
    assert path.read_text() == "10.1.7.10\n"
