"""Uploaded PDFs (checked, stored, served to their owner and staff) and generated PDFs."""
from flask import Blueprint

blueprint = Blueprint("documents", __name__)
