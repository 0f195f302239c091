"""The background worker: huey_consumer worker.huey (make worker; make run starts it too)."""
from portal.extensions import huey  # noqa: F401
from portal.notices import tasks  # noqa: F401  (registers the notice tasks)
from portal.promises import tasks as promise_tasks  # noqa: F401  (re-plan and calibration)
