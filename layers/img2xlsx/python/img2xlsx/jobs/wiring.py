"""Assemble the job service for this process: settings from the environment, the stores of the chosen backend.

The backends are named, not imported: ``aws`` (S3 + DynamoDB, :mod:`img2xlsx.jobs.aws`, in the layer) and
``local`` (folder + SQLite, ``img2xlsx_local.stores``, which only a workstation has: Lambda never ships it).
So the service and its ports import no adapter, and nothing here imports back. A process that builds its own
service (tests, the local server) hands it to :func:`use_service`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from .ports import Stores
from .service import JobService
from .settings import Settings, SettingsError

# backend -> (module, function building the Stores from the Settings)
STORE_FACTORIES: dict[str, tuple[str, str]] = {
    "aws": ("img2xlsx.jobs.aws", "stores_from_settings"),
    "local": ("img2xlsx_local.stores", "stores_from_settings"),
}

_service: JobService | None = None


def stores_for(settings: Settings) -> Stores:
    module_name, function = STORE_FACTORIES[settings.backend]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise SettingsError(
            f"IMG2XLSX_BACKEND={settings.backend} needs {module_name}, which is not installed here "
            "(the local stack's stores are a workstation package: Lambda never ships them)"
        ) from exc
    build: Callable[[Settings], Stores] = getattr(module, function)
    return build(settings)


def service_for(settings: Settings) -> JobService:
    stores = stores_for(settings)
    return JobService(stores.uploads, stores.results, stores.jobs, settings=settings)


def service_from_env(env: Mapping[str, str] | None = None) -> JobService:
    """The service the environment describes (``os.environ`` unless given), read and checked once."""
    return service_for(Settings.from_env(env))


def get_service() -> JobService:
    """The process-wide service: built from the environment on first use (a Lambda cold start) and reused."""
    global _service
    if _service is None:
        _service = service_from_env()
    return _service


def use_service(service: JobService | None) -> None:
    """Install a ready-made service (local server, tests); ``None`` makes the next call rebuild from env."""
    global _service
    _service = service
