"""Tests of the miner layer: transport, parsers, RPC and web clients, IP report, console."""
