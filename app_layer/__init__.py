"""The app layer: the agent's window and the connector API, inside the virtual desktop."""
