"""The background worker: huey_consumer worker.huey (make worker; make run starts it too)."""
from portal import background, create_app
from portal.extensions import huey  # noqa: F401  (what huey_consumer runs)
from portal.notices import tasks  # noqa: F401  (registers the notice tasks)
from portal.keeping import tasks as promise_tasks  # noqa: F401  (re-plan and calibration)

background.use_app_factory(create_app)
