"""commission: a commissioning assistant for the Antminer S9 Hydro.

The package is layered (see README "Architecture"): errors, then settings/checklist/hashing,
the miner client, results and the simulator, verification rules, rendering, export, and the
two front ends (headless and TUI) under the CLI. Each layer imports only from those below.
"""

__version__ = "0.1.0"
