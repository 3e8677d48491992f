"""The agent's phone window (PySide6): widgets bound to a view-model, nothing else."""
