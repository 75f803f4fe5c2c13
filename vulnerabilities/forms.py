"""The intake forms: a researcher's coordinated-disclosure report and a vendor's own report."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from catalog.models import VERSION_MAX
from catalog.services import NAME_MAX
from registry.forms import InputForm, NameField
from vulnerabilities.cases import REPORT_MAX, SUMMARY_MAX
from vulnerabilities.models import CVE_MAX, TITLE_MAX, VECTOR_MAX

CONTACT_MAX = 500


class _CaseFields(InputForm):
    """What both reports share: a title, identifiers and scores."""

    title = NameField(
        "Title",
        validators=[InputRequired("Enter a short title."), Length(max=TITLE_MAX)],
        description="One line, without exploit details, e.g. “Session fixation on the admin "
        "console”.",
    )
    cve_id = StringField(
        "CVE id",
        validators=[Optional(), Length(max=CVE_MAX)],
        description="Optional, if one is assigned, e.g. CVE-2026-12345.",
    )
    cvss_v3_vector = StringField(
        "CVSS v3.1 vector",
        validators=[Optional(), Length(max=VECTOR_MAX)],
        description="Optional, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H.",
    )
    cvss_v4_vector = StringField(
        "CVSS v4.0 vector",
        validators=[Optional(), Length(max=VECTOR_MAX)],
        description="Optional, e.g. "
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N.",
    )


class ResearcherReportForm(_CaseFields):
    """The public form: which published solution, what is wrong, how to reach the reporter."""

    solution = StringField(
        "Solution",
        validators=[InputRequired("Enter the solution's name."), Length(max=NAME_MAX)],
        description="Its name exactly as the public catalog shows it.",
    )
    vendor = StringField(
        "Vendor",
        validators=[Optional(), Length(max=NAME_MAX)],
        description="Optional; needed only when several vendors offer a solution of that name.",
    )
    version = StringField(
        "Version",
        validators=[Optional(), Length(max=VERSION_MAX)],
        description="Optional: the version you tested, e.g. 4.2.1.",
    )
    report = TextAreaField(
        "Your report",
        validators=[InputRequired("Describe the vulnerability."), Length(max=REPORT_MAX)],
        description="What is vulnerable, how to reproduce it, and its impact. It is stored "
        "encrypted and shown only to the vendor and the authority.",
    )
    reporter = StringField(
        "How to reach you",
        validators=[Optional(), Length(max=CONTACT_MAX)],
        description="Optional: an e-mail address or another contact. Without one, quote the "
        "case reference to follow up.",
    )
    consent = BooleanField(
        "I have read the disclosure policy and agree to keep the vulnerability confidential "
        "until the case is disclosed.",
        validators=[DataRequired("Agree to the disclosure policy to send the report.")],
    )


class VendorReportForm(_CaseFields):
    """A vendor's report about one of its own solutions (the versions are set by the view)."""

    versions = SelectMultipleField(
        "Affected versions",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Optional: the declared versions you know to be affected.",
    )
    summary = TextAreaField(
        "Summary",
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        description="Public once the case is disclosed: what is affected and what to do, "
        "without exploit details.",
    )
    report = TextAreaField(
        "Details",
        validators=[Optional(), Length(max=REPORT_MAX)],
        description="Optional: the technical details, stored encrypted and never published.",
    )
