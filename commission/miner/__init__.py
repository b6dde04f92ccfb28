"""The miner layer: firmware vocabulary, hardware layout, transport, parsers and typed snapshots."""
