"""Backend tests: job service, handlers, template and image checks."""
