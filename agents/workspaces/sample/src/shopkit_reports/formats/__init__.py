"""Output formats of a summary."""
