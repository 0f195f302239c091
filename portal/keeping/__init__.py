"""Keeping the promises made: the re-plan, orders at risk, calibration, promises kept, and the staff's
Promises page (/staff/promises) with the shop's closures and station down days. Its blueprint keeps
the name "promises" (endpoints promises.*, CLI flask promises replan|calibrate)."""
from flask import Blueprint

blueprint = Blueprint("promises", __name__)
