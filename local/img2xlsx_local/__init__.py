"""The local stack: a folder as object store, SQLite as job store, and one ASGI server that serves the SPA,
the very same API handler the Lambda runs, and a worker pool that runs the very same conversion handler."""
