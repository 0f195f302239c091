"""The shop manager's People page (find anyone, set their role, deactivate them), and a department's
members page for its administrators and the shop's admins."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user, login_required

from portal.accounts import blueprint, rules, services
from portal.accounts.access import recent_sign_in_required
from portal.accounts.forms import MemberForm, RoleForm
from portal.extensions import db
from portal.failures import ValidationFailed
from portal.web import answer, refused, render
from portal.web.navigation import redirect_to


@blueprint.get("/staff/people")
@login_required
def people():
    """Everyone, by name, searchable by name or email; a targeted htmx request (active search) gets
    the results fragment."""
    search = request.args.get("q", "")[:100]
    found = services.find_people(current_user, search=search, page=request.args.get("page", 1, type=int))
    return render("accounts/people.html", "accounts/_people_results.html", page=found, search=search)


def _person_page(person, form=None, problems=None, status: int = 200):
    return render("accounts/person.html", person=person, memberships=services.memberships_of(person),
                  role_form=form or RoleForm(data={"role": person.role.value}), problems=problems or {},
                  status=status)


@blueprint.get("/staff/people/<int:person_id>")
@login_required
def person(person_id: int):
    """One person, for the shop's admin: details, departments, role, and deactivation."""
    return _person_page(services.person_for_admin(current_user, person_id))


@blueprint.post("/staff/people/<int:person_id>/role")
@recent_sign_in_required
def change_role(person_id: int):
    """Makes the person a customer (removes staff access), staff or admin (needs a recent sign-in)."""
    person = services.person_for_admin(current_user, person_id)
    form, before = RoleForm(request.form), person.role
    try:
        services.change_role(current_user, person, form.role.data or "")
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_person_page, person, form, refusal.errors)
    flash(rules.role_change_message(person.name, before, person.role), "success")
    return redirect_to(url_for("accounts.person", person_id=person_id))


@blueprint.post("/staff/people/<int:person_id>/deactivate")
@recent_sign_in_required
def deactivate_person(person_id: int):
    """Stops the person signing in and ends their sessions at once; their orders stay."""
    person = services.person_for_admin(current_user, person_id)
    try:
        services.deactivate_person(current_user, person)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_person_page, person, problems=refusal.errors)
    flash(f"{person.name} is deactivated: signed out everywhere, and can no longer sign in. "
          "Their orders stay.", "success")
    return redirect_to(url_for("accounts.person", person_id=person_id))


@blueprint.post("/staff/people/<int:person_id>/reactivate")
@recent_sign_in_required
def reactivate_person(person_id: int):
    """Lets a deactivated person sign in again."""
    person = services.reactivate_person(current_user, services.person_for_admin(current_user, person_id))
    db.session.commit()
    flash(f"{person.name} can sign in again.", "success")
    return redirect_to(url_for("accounts.person", person_id=person_id))


def _members_page(department, form=None, problems=None, done: str = "", status: int = 200):
    return render("accounts/members.html", "accounts/_members.html", department=department,
                  members=services.members_of(department), form=form or MemberForm(), problems=problems or {},
                  done=done, status=status)


@blueprint.get("/departments/<int:department_id>/members")
@login_required
def members(department_id: int):
    """A department's members, for its administrators and the shop's admins: add and remove them."""
    return _members_page(services.department_for_administration(current_user, department_id))


@blueprint.post("/departments/<int:department_id>/members")
@login_required
def add_member(department_id: int):
    """Adds someone who has an account, by email (the typed email stays when refused); a targeted htmx
    request gets the members fragment."""
    department = services.department_for_administration(current_user, department_id)
    form = MemberForm(request.form)
    try:
        person = services.add_member(department, email=form.email.data or "")
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_members_page, department, form, refusal.errors)
    done = f"{person.name} is a member of {department.name} now."
    return answer(url_for("accounts.members", department_id=department_id), _members_page, department,
                  flashed=(done, "success"), done=done)


@blueprint.post("/departments/<int:department_id>/members/<int:user_id>/remove")
@login_required
def remove_member(department_id: int, user_id: int):
    """Takes someone out of the department (the budget accounts they may charge stay as they are); a
    targeted htmx request gets the members fragment."""
    department = services.department_for_administration(current_user, department_id)
    try:
        person = services.remove_member(current_user, department, user_id=user_id)
        db.session.commit()
    except ValidationFailed as refusal:
        return refused(_members_page, department, problems=refusal.errors)
    done = f"{person.name} is no longer a member of {department.name}."
    return answer(url_for("accounts.members", department_id=department_id), _members_page, department,
                  flashed=(done, "success"), done=done)
