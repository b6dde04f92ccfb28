"""The commissioning job: who, where, which miner, every answer and measurement, and the results."""
