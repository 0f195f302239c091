"""The mailer flow: upload a list, match its columns, check its rows, write the piece, approve the
proof; then back to the job in the configurator with the list's id. Downloads for the owner and staff."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Response, abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.database import utcnow
from portal.documents import services as documents
from portal.documents import storage
from portal.extensions import db
from portal.failures import Conflict, ValidationFailed
from portal.mailers import blueprint, forms, rules, services
from portal.catalog.services import checkout_defaults
from portal.web import answer, refused, render
from portal.web.navigation import invalid_status, redirect_to

NOT_CARRIED = {"product", "mailing_list", "csrf_token", "action", "upload", "job", "idempotency_key", "mailer_step"}


def _job() -> str:
    """The configurator's values the flow carries back to the job (size, colour, mail class...)."""
    pairs = [(k, v) for k, v in parse_qsl(request.values.get("job", "")[:4000], keep_blank_values=True)
             if k not in NOT_CARRIED and not k.startswith(("new_address-", "new_account-"))]
    return urlencode(pairs)


def _looks(mailing, job: str) -> dict[str, str]:
    codes = {k.removeprefix("opt_"): v for k, v in parse_qsl(job) if k.startswith("opt_")}
    return services.appearance(mailing.product, codes)


def _list(list_id: int, *, staff_too: bool = False, edit: bool = False):
    """The customer's list (or 404); `edit`: raises Conflict once it is on an order."""
    mailing = services.list_for(current_user, list_id, staff_too=staff_too)
    return services.editable(mailing) if edit else mailing


# What the configurator, checkout and order page templates use to show a mailer.
blueprint.add_app_template_global(rules, "mailer_rules")
blueprint.add_app_template_global(forms.order_args, "order_job_args")


@blueprint.errorhandler(Conflict)
def ordered_already(conflict: Conflict):
    """A change to a list that is on an order: nothing changes, the proof page says why."""
    db.session.rollback()
    flash(conflict.message, "error")
    return redirect_to(url_for("mailers.proof", list_id=request.view_args["list_id"], job=_job() or None))


def _step(endpoint: str, mailing, job: str, **args) -> str:
    return url_for(endpoint, list_id=mailing.id, job=job or None, **args)


def job_url(mailing, job: str) -> str:
    """The configurator with the job as it was and this list in it."""
    return (url_for("catalog.configure", slug=mailing.product.slug) + "?"
            + urlencode(parse_qsl(job) + [("mailing_list", str(mailing.id))]))


def _context(mailing, job: str, **context):
    return dict(mailing=mailing, job=job, job_url=job_url(mailing, job), rules=rules, **context)


@blueprint.get("/mailers/go/<slug>")
@login_required
def go(slug: str):
    """From the configurator's buttons (its values as the query): on to a step of the mailer flow,
    carrying the job as it is now. A redirect, or HX-Redirect for htmx."""
    pairs = [(k, v) for k, v in request.args.items(multi=True)
             if k not in NOT_CARRIED and not k.startswith(("files-", "new_address-", "new_account-"))]
    job = urlencode(pairs) or None
    step = request.args.get("mailer_step", "new")
    if step == "new" or not request.args.get("mailing_list"):
        return redirect_to(url_for("mailers.new", product=slug, job=job))
    mailing = _list(request.args.get("mailing_list"))
    endpoint = {"check": "mailers.check", "design": "mailers.design"}.get(step, "mailers.proof")
    return redirect_to(url_for(endpoint, list_id=mailing.id, job=job))


def _limits() -> tuple[int, int]:
    return services.max_bytes(), services.max_rows()


def _product_and_source(values):
    """The mailer product asked for and, when reusing a design, the customer's own earlier order (404 otherwise)."""
    product = services.mailer_product(values.get("product", ""))
    source = services.order_for_reorder(current_user, values["design_from"]) if values.get("design_from") else None
    return product, source


@blueprint.get("/mailers/new")
@login_required
def new():
    """The upload page: formats and limits stated up front."""
    product, source = _product_and_source(request.args)
    return render("mailers/new.html", product=product, source=source, job=_job(), error="", limits=_limits())


@blueprint.post("/mailers/lists")
@login_required
def upload():
    """Accepts a list and goes on to its columns; a refused file is explained next to the field."""
    product, source = _product_and_source(request.form)
    job = _job()
    upload_file = request.files.get("list_file")
    try:
        if not upload_file or not upload_file.filename:
            raise ValidationFailed({"upload": "Choose your mailing list file."})
        mailing = services.accept_list(current_user, product=product, data=services.read_upload(upload_file.stream),
                                       filename=upload_file.filename, design_from=source)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused("mailers/new.html", product=product, source=source, job=job,
                       error=refusal.errors["upload"], limits=_limits())
    return redirect_to(_step("mailers.check" if mailing.is_mapped else "mailers.columns", mailing, job))


@blueprint.post("/mailers/lists/<int:list_id>/replace")
@login_required
def replace(list_id: int):
    """Puts a fixed file in place of the list (the design stays); refused files change nothing."""
    mailing, job = _list(list_id, edit=True), _job()
    old_key, upload_file = mailing.storage_key, request.files.get("list_file")
    try:
        if not upload_file or not upload_file.filename:
            raise ValidationFailed({"upload": "Choose the fixed file."})
        services.accept_list(current_user, product=mailing.product, data=services.read_upload(upload_file.stream),
                             filename=upload_file.filename, replacing=mailing)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_check_page, mailing, job, replace_error=refusal.errors["upload"])
    services.delete_file(old_key)
    flash(f"{mailing.original_name} replaced your list.", "success")
    return redirect_to(_step("mailers.check" if mailing.is_mapped else "mailers.columns", mailing, job))


def _columns_page(mailing, job, formdata=None, problems=None, status=200):
    proposed, remembered = (dict(mailing.mapping), mailing.mapping_remembered) if mailing.mapping else \
        services.proposed_mapping(current_user, mailing.headers, mailing.columns_key)
    form = forms.mapping_form(mailing.headers, formdata, proposed=proposed)
    chosen = {k: v for k, v in forms.chosen_mapping(form).items() if v is not None}
    table = services.load_table(mailing)
    preview = [(n, rules.recipient(table.headers, chosen, cells)) for n, cells in table.rows[:5]]
    return render("mailers/columns.html", "mailers/_preview.html", status=status,
                  **_context(mailing, job, form=form, problems=problems or {}, remembered=remembered,
                             preview=preview, raw_rows=table.rows[:5],
                             custom=rules.merge_fields(mailing.headers, chosen)[len(rules.Field):]))


@blueprint.get("/mailers/lists/<int:list_id>/columns")
@login_required
def columns(list_id: int):
    """Matching the file's columns to the piece's fields, with a preview; htmx gets the preview."""
    mailing = _list(list_id)
    formdata = request.args if any(f.value in request.args for f in rules.Field) else None
    return _columns_page(mailing, _job(), formdata)


@blueprint.post("/mailers/lists/<int:list_id>/columns")
@login_required
def columns_post(list_id: int):
    """Saves the mapping (remembered for these columns) and goes on to the check."""
    mailing, job = _list(list_id, edit=True), _job()
    form = forms.mapping_form(mailing.headers, request.form, proposed={})
    try:
        services.save_mapping(current_user, mailing, forms.chosen_mapping(form))
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_columns_page, mailing, job, request.form, refusal.errors)
    return redirect_to(_step("mailers.check", mailing, job))


def _check_page(mailing, job, *, replace_error: str = "", status: int = 200):
    if not mailing.is_mapped:
        return redirect_to(_step("mailers.columns", mailing, job))
    listed = services.view(mailing)
    per_page = 50
    pages = max(1, -(-listed.check.problem_count // per_page))
    page = max(1, min(request.args.get("page", 1, type=int), pages))
    return render("mailers/check.html", status=status,
                  **_context(mailing, job, check=listed.check, problem_rows=listed.problem_rows(page, per_page),
                             page=page, pages=pages, replace_error=replace_error, run=listed.print_run))


@blueprint.get("/mailers/lists/<int:list_id>/check")
@login_required
def check(list_id: int):
    """The check: how many rows are good, what is wrong with the others (by row), what to do."""
    return _check_page(_list(list_id), _job())


@blueprint.post("/mailers/lists/<int:list_id>/drop")
@login_required
def drop(list_id: int):
    """Leaves out the rows with problems."""
    mailing = _list(list_id, edit=True)
    dropped = services.drop_problem_rows(mailing)
    db.session.commit()
    flash(f"Left out {rules.addresses(dropped)} with problems. {rules.addresses(mailing.good_count)} to mail.",
          "success")
    return redirect_to(_step("mailers.check", mailing, _job()))


@blueprint.post("/mailers/lists/<int:list_id>/restore")
@login_required
def restore(list_id: int):
    """Puts the rows left out back in the list."""
    mailing = _list(list_id, edit=True)
    services.restore_rows(mailing)
    db.session.commit()
    return redirect_to(_step("mailers.check", mailing, _job()))


def _csv_download(text: str, name: str) -> Response:
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@blueprint.get("/mailers/lists/<int:list_id>/report.csv")
@login_required
def report(list_id: int):
    """The rows with problems, what is wrong with each, and their cells (formulas made harmless)."""
    return _csv_download(services.view(_list(list_id)).report_csv(), f"list-{list_id}-problems.csv")


@blueprint.get("/mailers/lists/<int:list_id>/pieces.csv")
@login_required
def pieces(list_id: int):
    """The good rows as production merges them, for the owner and staff."""
    return _csv_download(services.view(_list(list_id, staff_too=True)).pieces_csv(), f"list-{list_id}-pieces.csv")


@blueprint.get("/mailers/sample.csv")
@login_required
def sample():
    """A small example list with the columns the portal recognises."""
    return _csv_download(rules.csv_text(SAMPLE_ROWS), "sample-mailing-list.csv")


SAMPLE_ROWS = [
    ["First name", "Last name", "Address", "Address 2", "City", "State", "ZIP", "Class year"],
    ["Ana", "Lima", "12 Elm Street", "Apt 4", "Ithaca", "NY", "14850", "2004"],
    ["Marcus", "Ohene", "480 Lake Shore Drive", "", "Chicago", "IL", "60611-3501", "1998"],
]


def _design_page(mailing, job, form=None, problems=None, status=200):
    form = form or forms.DesignForm(None, headline=mailing.headline, message=mailing.message,
                                    return_address=mailing.return_address or _default_return_address())
    return render("mailers/design.html", status=status,
                  **_context(mailing, job, form=form, problems=problems or {},
                             known=rules.merge_fields(mailing.headers, mailing.mapping or {})))


def _default_return_address() -> str:
    address = checkout_defaults(current_user).address
    lines = [current_user.name]
    if address is not None:
        lines += [line for line in (address.building, address.room, address.street1, address.street2) if line]
        if address.city:
            lines.append(f"{address.city} {address.state} {address.postal_code}".strip())
    return "\n".join(lines[:4])


@blueprint.get("/mailers/lists/<int:list_id>/design")
@login_required
def design(list_id: int):
    """The piece's wording with merge fields, the return address and optional artwork."""
    mailing = _list(list_id)
    return _design_page(mailing, _job())


@blueprint.post("/mailers/lists/<int:list_id>/design")
@login_required
def design_post(list_id: int):
    """Saves the design (and artwork) and goes on to the proof."""
    mailing, job = _list(list_id, edit=True), _job()
    form = forms.DesignForm(request.form)
    artwork_file = request.files.get("artwork")
    try:
        artwork = None
        if artwork_file and artwork_file.filename:
            artwork = documents.store_pdf(current_user, data=documents.read_limited(artwork_file.stream, "artwork"),
                                          filename=artwork_file.filename, field="artwork", contents=True)
        services.save_design(mailing, headline=form.headline.data or "", message=form.message.data or "",
                             return_address=form.return_address.data or "", artwork=artwork,
                             remove_artwork=bool(form.remove_artwork.data))
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_design_page, mailing, job, form, refusal.errors)
    return redirect_to(_step("mailers.proof", mailing, job))


def _proof_context(mailing, job, error: str = ""):
    looks = _looks(mailing, job)
    current = services.fingerprint(mailing, looks)
    return _context(mailing, job, unfinished=services.flow_problem(mailing), error=error,
                    proof_current=bool(mailing.proof_key) and mailing.proof_fingerprint == current,
                    approved=services.is_approved(mailing, looks),
                    preview=services.view(mailing).good_recipients(rules.PROOF_PIECES) if mailing.is_mapped else [])


def _proof_page(mailing, job, error: str = "", *, status: int = 200, trigger=None):
    return render("mailers/proof_page.html", "mailers/_proof_panel.html", status=status, trigger=trigger,
                  **_proof_context(mailing, job, error))


@blueprint.get("/mailers/lists/<int:list_id>/proof")
@login_required
def proof(list_id: int):
    """The proof page: the first pieces, the proof PDF and the approval."""
    mailing, job = _list(list_id), _job()
    return _proof_page(mailing, job)


@blueprint.post("/mailers/lists/<int:list_id>/proof")
@login_required
def proof_post(list_id: int):
    """Builds the proof PDF (a few seconds); htmx gets the proof panel, a plain post the page."""
    mailing, job = _list(list_id, edit=True), _job()
    old_key = mailing.proof_key
    try:
        services.build_proof(mailing, _looks(mailing, job), now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_proof_page, mailing, job, refusal.errors["proof"])
    services.delete_file(old_key)
    return answer(_step("mailers.proof", mailing, job), _proof_page, mailing, job,
                  trigger={"proof-built": {"pages": mailing.proof_pages}})


@blueprint.post("/mailers/lists/<int:list_id>/approve")
@login_required
def approve(list_id: int):
    """Records the approval (who and when) and goes back to the job with the list in it."""
    mailing, job = _list(list_id, edit=True), _job()
    if not request.form.get("checked"):
        return _proof_page(mailing, job, "Tick the box to say you checked the proof.", status=invalid_status())
    try:
        services.approve_proof(mailing, _looks(mailing, job), by=current_user, now=utcnow())
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_proof_page, mailing, job, refusal.errors["approve"])
    flash("Proof approved. Choose the mail class and date, then check out.", "success")
    return redirect_to(job_url(mailing, job))


@blueprint.get("/mailers/lists/<int:list_id>/proof.pdf")
@login_required
def proof_pdf(list_id: int):
    """The latest proof PDF, as an attachment, for the owner and staff."""
    mailing = _list(list_id, staff_too=True)
    if not mailing.proof_key:
        abort(404)
    return storage.download(mailing.proof_key, media_type="application/pdf",
                            filename=f"proof-{mailing.product.slug}-{mailing.id}.pdf")
