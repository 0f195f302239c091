"""The customer's side of proofs: see the proof, approve it or ask for changes (on the order page)."""
from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_login import current_user, login_required

from portal.database import utcnow
from portal.documents import storage
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.orders import services as orders
from portal.queue import rules, services
from portal.web import refused, render
from portal.web.navigation import redirect_to

blueprint = Blueprint("proofs", __name__)


@blueprint.get("/orders/<number>/proofs/<int:proof_id>/proof.pdf")
@login_required
def proof_file(number: str, proof_id: int):
    """The proof PDF, for the order's customer and staff; 404 for anyone else."""
    proof = services.proof_for(current_user, number, proof_id)
    return storage.download(proof.file.storage_key, media_type="application/pdf",
                            filename=f"proof-{proof.order.number}-{proof.round}.pdf")


def _order_page(number: str, *, status: int = 200, **context):
    """The order page, or its job-progress fragment for a targeted htmx request, as stored."""
    return render("orders/order.html", "queue/_customer_job.html", status=status,
                  order=orders.order_for(current_user, number), **context)


@blueprint.post("/orders/<number>/proofs/<int:proof_id>/answer")
@login_required
def answer(number: str, proof_id: int):
    """Approves the proof or asks for changes; the order page again, errors next to the comment."""
    approved = request.form.get("decision") == "approve"
    try:
        proof = services.proof_for(current_user, number, proof_id)
        services.answer_proof(proof, customer=current_user, approved=approved,
                              comment=request.form.get("comment", ""), now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_order_page, number, proof_problems=refusal.errors,
                       proof_comment=request.form.get("comment", ""))
    flash("Thank you: the proof is approved and your job goes to print." if approved
          else "Thank you: we will make the changes and send a new proof.", "success")
    return redirect_to(url_for("orders.order", number=number) + "#job-progress")


@blueprint.app_template_global()
def proof_waiting(proof) -> str:
    """How long the customer has taken (or is taking) to answer a proof, in words."""
    return rules.waiting_time(proof.sent_at, proof.answered_at or utcnow())
