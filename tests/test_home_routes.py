"""The shop manager's pages in one place: "Manage" in the navigation, for admins only."""
from __future__ import annotations

import re

import pytest

from portal.accounts.models import Role
from portal.home.routes import MANAGE


@pytest.fixture
def manager_client(app, make):
    client = app.test_client()
    client.sign_in(make.user(role=Role.ADMIN))
    return client


def test_the_manager_finds_every_managers_page_from_one_link(manager_client):
    page = manager_client.get("/staff/manage").get_data(as_text=True)
    assert 'href="/staff/manage" aria-current="page">Manage</a>' in page
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>: ', page)
    assert [name for _, name in links] == [name for section in MANAGE for name, _, _ in section.links]
    for href, name in links:
        opened = manager_client.get(href)
        assert opened.status_code == 200, (name, href)
        current = re.findall(r'aria-current="page">([^<]+)</a>', opened.get_data(as_text=True))
        assert current == ["Promises" if name == "Promises" else "Statements" if name == "Statements" else "Manage"], name


def test_staff_and_customers_have_no_manage_link_and_no_page(staff_client, customer_client):
    for client in (staff_client, customer_client):
        assert client.get("/staff/manage").status_code == 404
        assert ">Manage</a>" not in client.get("/account").get_data(as_text=True)
