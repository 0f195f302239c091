from __future__ import annotations

from wtforms import EmailField, Form, HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.web.forms import choices


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ConfirmPasswordForm(Form):
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class EmailForm(Form):
    email = EmailField("Email", render_kw={"autocomplete": "email"})


class PasswordForm(Form):
    current = PasswordField("Current password", render_kw={"autocomplete": "current-password"})
    new = PasswordField("New password", description="At least 10 characters. A few words make a good one.",
                        render_kw={"autocomplete": "new-password"})


class NoteForm(Form):
    body = TextAreaField("Note", render_kw={"rows": 3})


OPTION_LABELS = {"stock": "Paper", "color": "Colour", "sides": "Sides", "binding": "Binding"}


def preferences_form(offered: dict[str, list[tuple[str, str]]], formdata=None, saved: dict | None = None) -> Form:
    """One select per option the customer can have a preference for, "No preference" first."""
    attributes = {}
    for code, pairs in offered.items():
        attributes[code] = SelectField(OPTION_LABELS.get(code, code.title()),
                                       choices=choices([("", "No preference")] + pairs), default="")
    form_class = type("PreferencesForm", (Form,), attributes)
    return form_class(formdata, data=saved or {})


ROLE_CHOICES = [("customer", "Customer: no staff access"), ("staff", "Staff: the queue, jobs and customers"),
                ("admin", "Admin: staff who also manage people")]


class RoleForm(Form):
    role = RadioField("Role", choices=choices(ROLE_CHOICES))


class MemberForm(Form):
    email = EmailField("Email of the person to add", description="They need an account in the portal already.",
                       render_kw={"autocomplete": "off"})


class ForgotForm(Form):
    email = EmailField("Email", render_kw={"autocomplete": "username"})


class NewPasswordForm(Form):
    password = PasswordField("New password", description="At least 10 characters. A few words make a good one.",
                             render_kw={"autocomplete": "new-password"})


class InviteForm(Form):
    email = EmailField("Their email", render_kw={"autocomplete": "off"})
    name = StringField("Their name", render_kw={"autocomplete": "off"})
    department = SelectField("Department", description="They can charge its budget accounts once you add them there.",
                             validate_choice=False)


class DepartmentForm(Form):
    department = SelectField("Your department", validate_choice=False)
