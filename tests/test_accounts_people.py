"""The People page (the shop manager finds anyone, sets their role, deactivates them) and a department's
members page (its administrators add and remove members), over HTTP on the real database."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.accounts import rules
from portal.accounts.models import Membership, MemberRole, Role, SignInSession, User
from portal.extensions import db
from portal.orders.models import Order
from tests.queue_support import counting_queries


@pytest.fixture
def admin(make):
    return make.user(role=Role.ADMIN, name="Rosa Alvarez", email="manager@example.edu")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    client.sign_in(admin)
    return client


def _signed_in(app, person):
    client = app.test_client()
    client.sign_in(person)
    return client


def _stored(app, model, id_):
    with app.app_context():
        return db.session.get(model, id_)


def test_admin_finds_people_by_name_or_email_with_departments_and_roles(make, admin_client):
    law = make.department("School of Law")
    alumni = make.department("Alumni")
    make.user(name="Maya Okafor", email="mo42@example.edu", departments=[alumni], administers=[law])
    make.user(name="Tom Brandt", email="tb9@example.edu", role=Role.STAFF)
    page = admin_client.get("/staff/people").get_data(as_text=True)
    everyone = page[page.index('id="people-results"'):]
    assert everyone.index("Maya Okafor") < everyone.index("Rosa Alvarez") < everyone.index("Tom Brandt")  # by name
    by_name = admin_client.get("/staff/people?q=okaf").get_data(as_text=True)
    assert "Maya Okafor" in by_name and "Tom Brandt" not in by_name
    assert "School of Law <span class=\"hint\">(administrator)</span>" in by_name and "Alumni" in by_name
    by_email = admin_client.get("/staff/people?q=TB9@").get_data(as_text=True)
    assert "Tom Brandt" in by_email and "Maya Okafor" not in by_email and "Staff" in by_email
    assert "Nobody matches" in admin_client.get("/staff/people?q=zzz").get_data(as_text=True)


def test_active_search_gets_the_results_fragment(make, admin_client):
    make.user(name="Maya Okafor")
    response = admin_client.get("/staff/people?q=maya", headers={"HX-Request": "true", "HX-Target": "people-results"})
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="people-results"') and "Maya Okafor" in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_people_are_paged_and_deactivated_ones_are_marked(app, make, admin_client):
    for n in range(26):
        make.user(name=f"Zed {n:02d}")
    gone = make.user(name="Aaron Gone")
    with app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
    first = admin_client.get("/staff/people").get_data(as_text=True)
    assert "Aaron Gone</a> <span class=\"badge badge-cancelled\">Deactivated</span>" in first
    assert 'rel="next"' in first and "Zed 24" not in first
    second = admin_client.get("/staff/people?page=2").get_data(as_text=True)
    assert "Zed 25" in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_the_people_page_runs_the_same_queries_for_three_people_or_thirty(app, make, admin_client):
    def statements() -> int:
        with counting_queries(app) as run:
            assert admin_client.get("/staff/people").status_code == 200
        return len(run)

    law = make.department()
    for _ in range(2):
        make.user(departments=[law], administers=[make.department()])
    few = statements()
    for _ in range(27):
        make.user(departments=[law], administers=[make.department()])
    assert statements() == few


def test_only_admins_see_the_people_pages_and_the_nav_link(make, admin, admin_client, staff_client,
                                                           customer_client, customer):
    department = make.department()
    for client in (staff_client, customer_client):
        assert client.get("/staff/people").status_code == 404
        assert client.get(f"/staff/people/{customer.id}").status_code == 404
        assert client.get(f"/departments/{department.id}/members").status_code == 404
        assert client.post(f"/staff/people/{customer.id}/role", data={"role": "admin"}).status_code == 404
        assert client.post(f"/staff/people/{admin.id}/deactivate").status_code == 404
        assert ">Manage</a>" not in client.get("/account").get_data(as_text=True)
    assert ">Manage</a>" in admin_client.get("/account").get_data(as_text=True)
    assert 'href="/staff/people">People</a>' in admin_client.get("/staff/manage").get_data(as_text=True)
    assert admin_client.get("/staff/people/999999").status_code == 404


def test_admin_makes_someone_staff_then_removes_staff_access(app, make, admin_client, customer):
    page = admin_client.get(f"/staff/people/{customer.id}").get_data(as_text=True)
    assert customer.email in page and re.search(r'<input checked[^>]*value="customer"', page)
    response = admin_client.post(f"/staff/people/{customer.id}/role", data={"role": "staff"})
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/people/{customer.id}"
    assert f"{customer.name} is staff now" in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert _stored(app, User, customer.id).role == Role.STAFF
    their_browser = _signed_in(app, customer)
    assert their_browser.get("/staff/queue").status_code == 200
    admin_client.post(f"/staff/people/{customer.id}/role", data={"role": "customer"})
    assert _stored(app, User, customer.id).role == Role.CUSTOMER
    assert "staff access is removed" in admin_client.get(f"/staff/people/{customer.id}").get_data(as_text=True)
    assert their_browser.get("/staff/queue").status_code == 404


def test_a_role_that_is_no_role_is_refused_beside_the_field(app, admin_client, customer):
    response = admin_client.post(f"/staff/people/{customer.id}/role", data={"role": "owner"})
    assert response.status_code == 422 and "Choose customer, staff or admin." in response.get_data(as_text=True)
    assert _stored(app, User, customer.id).role == Role.CUSTOMER


def test_admin_deactivates_a_person_whose_open_session_ends_and_whose_orders_stay(app, make, admin_client, customer):
    make.catalog()
    order = make.order(customer)
    their_browser = _signed_in(app, customer)
    assert their_browser.get("/orders").status_code == 200
    response = admin_client.post(f"/staff/people/{customer.id}/deactivate")
    assert response.status_code == 303
    page = admin_client.get(f"/staff/people/{customer.id}").get_data(as_text=True)
    assert "is deactivated" in page and "Reactivate" in page
    assert their_browser.get("/orders").status_code == 302  # signed out at once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInSession)
                                 .where(SignInSession.user_id == customer.id)) == 0
        assert db.session.get(Order, order.id).customer_id == customer.id
    assert "Deactivated" in admin_client.get("/staff/people").get_data(as_text=True)
    assert admin_client.post(f"/staff/people/{customer.id}/reactivate").status_code == 303
    assert _stored(app, User, customer.id).active is True
    assert _signed_in(app, customer).get("/orders").status_code == 200


def test_an_admin_cannot_demote_or_deactivate_themself(app, admin, admin_client):
    for role in ("staff", "customer"):
        response = admin_client.post(f"/staff/people/{admin.id}/role", data={"role": role})
        assert response.status_code == 422
        assert "You cannot remove your own admin access." in response.get_data(as_text=True)
    response = admin_client.post(f"/staff/people/{admin.id}/deactivate")
    assert response.status_code == 422 and "You cannot deactivate yourself." in response.get_data(as_text=True)
    stored = _stored(app, User, admin.id)
    assert stored.role == Role.ADMIN and stored.active
    assert admin_client.get("/staff/people").status_code == 200  # still signed in, still the admin


def test_role_changes_need_a_recent_sign_in(app, admin_client, customer, shop_clock):
    shop_clock.shift(rules.RECENT_SIGN_IN * 2)
    response = admin_client.post(f"/staff/people/{customer.id}/role", data={"role": "staff"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/confirm-password")
    assert _stored(app, User, customer.id).role == Role.CUSTOMER


def _members(app, department_id: int) -> dict[str, MemberRole]:
    with app.app_context():
        return {email: role for email, role in db.session.execute(
            select(User.email, Membership.role).join(Membership).where(Membership.department_id == department_id))}


def test_a_department_administrator_adds_and_removes_members(app, make):
    law = make.department("School of Law")
    chair = make.user(name="Dana Chair", administers=[law])
    member = make.user(name="Lee Member", departments=[law])
    newcomer = make.user(name="Nia Newcomer", email="nia@example.edu")
    client = _signed_in(app, chair)
    assert "Members of School of Law" in client.get("/account").get_data(as_text=True)
    assert f"/departments/{law.id}/members" in client.get("/billing").get_data(as_text=True)
    page = client.get(f"/departments/{law.id}/members").get_data(as_text=True)
    assert "Dana Chair" in page and "Lee Member" in page and "Administrator" in page

    unknown = client.post(f"/departments/{law.id}/members", data={"email": "Nobody@Example.edu"})
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 422 and "Nobody has that email yet." in text
    assert 'value="Nobody@Example.edu"' in text  # what was typed stays
    again = client.post(f"/departments/{law.id}/members", data={"email": member.email}).get_data(as_text=True)
    assert "Lee Member is already a member of School of Law." in again

    added = client.post(f"/departments/{law.id}/members", data={"email": " NIA@example.edu "})
    assert added.status_code == 303
    assert "Nia Newcomer is a member of School of Law now." in client.get(added.headers["Location"]).get_data(as_text=True)
    assert _members(app, law.id)["nia@example.edu"] == MemberRole.MEMBER

    removed = client.post(f"/departments/{law.id}/members/{member.id}/remove")
    assert removed.status_code == 303 and member.email not in _members(app, law.id)
    assert client.post(f"/departments/{law.id}/members/{member.id}/remove").status_code == 404  # not a member now
    assert newcomer.email in _members(app, law.id)


def test_members_are_changed_in_place_for_htmx(app, make):
    law = make.department("School of Law")
    chair = make.user(name="Dana Chair", administers=[law])
    make.user(name="Nia Newcomer", email="nia@example.edu")
    client = _signed_in(app, chair)
    headers = {"HX-Request": "true", "HX-Target": "members"}
    refused = client.post(f"/departments/{law.id}/members", data={"email": "x@example.edu"}, headers=headers)
    assert refused.status_code == 200 and refused.get_data(as_text=True).lstrip().startswith('<div id="members">')
    added = client.post(f"/departments/{law.id}/members", data={"email": "nia@example.edu"}, headers=headers)
    fragment = added.get_data(as_text=True)
    assert added.status_code == 200 and fragment.lstrip().startswith('<div id="members">')
    assert "Nia Newcomer is a member of School of Law now." in fragment


def test_a_plain_member_or_another_departments_administrator_cannot_open_the_members_page(app, make):
    law, alumni = make.department("School of Law"), make.department("Alumni")
    member = make.user(departments=[law])
    other_chair = make.user(administers=[alumni])
    for person in (member, other_chair):
        client = _signed_in(app, person)
        assert client.get(f"/departments/{law.id}/members").status_code == 404
        assert client.post(f"/departments/{law.id}/members", data={"email": person.email}).status_code == 404
        assert client.post(f"/departments/{law.id}/members/{member.id}/remove").status_code == 404
    assert _members(app, law.id) == {member.email: MemberRole.MEMBER}


def test_the_last_administrator_cannot_remove_themself_but_one_of_two_can(app, make):
    law = make.department("School of Law")
    chair = make.user(name="Dana Chair", administers=[law])
    client = _signed_in(app, chair)
    assert "Only administrator" in client.get(f"/departments/{law.id}/members").get_data(as_text=True)
    response = client.post(f"/departments/{law.id}/members/{chair.id}/remove")
    assert response.status_code == 422
    assert "only administrator, so you cannot remove yourself" in response.get_data(as_text=True)
    assert chair.email in _members(app, law.id)

    make.user(administers=[law])
    assert client.post(f"/departments/{law.id}/members/{chair.id}/remove").status_code == 303
    assert chair.email not in _members(app, law.id)
    assert client.get(f"/departments/{law.id}/members").status_code == 404  # no longer theirs


def test_the_shop_admin_manages_any_departments_members(app, make, admin_client):
    law = make.department("School of Law")
    person = make.user(name="Lee Member", email="lee@example.edu")
    assert admin_client.get(f"/departments/{law.id}/members").status_code == 200
    assert admin_client.post(f"/departments/{law.id}/members", data={"email": "lee@example.edu"}).status_code == 303
    assert _members(app, law.id) == {person.email: MemberRole.MEMBER}
    page = admin_client.get(f"/staff/people/{person.id}").get_data(as_text=True)
    assert "School of Law" in page and f"/departments/{law.id}/members" in page
    assert admin_client.get("/departments/999999/members").status_code == 404


@pytest.mark.parametrize("changing_self, before, after, refused", [
    (True, "admin", "staff", True),
    (True, "admin", "customer", True),
    (True, "admin", "admin", False),
    (False, "admin", "customer", False),
    (False, "customer", "admin", False),
])
def test_role_change_rule(changing_self, before, after, refused):
    assert bool(rules.role_change_problem(changing_self=changing_self, role_before=before, role_after=after)) is refused


@pytest.mark.parametrize("removing_self, is_administrator, administrators, refused", [
    (True, True, 1, True),
    (True, True, 2, False),
    (True, False, 1, False),
    (False, True, 1, False),
])
def test_member_removal_rule(removing_self, is_administrator, administrators, refused):
    assert bool(rules.member_removal_problem(removing_self=removing_self, is_administrator=is_administrator,
                                             administrators=administrators)) is refused
