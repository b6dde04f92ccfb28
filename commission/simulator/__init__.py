"""The simulated S9 Hydro: stock wire protocols, a small physical model, fault scenarios."""
