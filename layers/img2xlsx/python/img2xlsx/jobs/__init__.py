"""Conversion jobs: the model, the service, and the storage ports it runs on (AWS or local)."""
