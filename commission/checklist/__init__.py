"""The commissioning checklist: pydantic models, the TOML loader, and derived calculations."""
