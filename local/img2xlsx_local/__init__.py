"""The local stack, a workstation package (never in the Lambda layer): a folder as object store, SQLite as
job store, and one ASGI server that serves the SPA, the very same API handler the Lambda runs, and a worker
pool that runs the very same conversion handler (``handlers`` loads them, for ``make invoke`` and tests)."""
