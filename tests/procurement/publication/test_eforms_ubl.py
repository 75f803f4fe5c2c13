"""The eForms UBL XML notices of an awarded call are valid against the eForms SDK 1.15 XSDs and
carry what the Business-Terms JSON carries, at the SDK's UBL paths."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from flask.testing import FlaskClient
from lxml import etree

from procurement.publication.identifiers import SIRENE
from procurement.publication.ubl import NAMESPACES
from registry.database import db
from registry.models import OrganisationKind, User
from tests.procurement import public_builders
from tests.support import mentions_number

SCHEMAS = Path(__file__).parents[2] / "standards" / "eforms-sdk-1.15" / "schemas" / "maindoc"


@cache
def _schema(document: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"UBL-{document}-2.3.xsd")))


def _valid_xml(client: FlaskClient, call_id: int, kind: str, document: str) -> etree._Element:
    response = client.get(f"/procurement/public/calls/{call_id}/eforms/{kind}.xml")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    tree = etree.fromstring(response.data)
    schema = _schema(document)
    assert schema.validate(tree), "\n".join(str(error) for error in schema.error_log)
    return tree


def _texts(tree: etree._Element, path: str) -> list[str]:
    return [str(node.text) for node in tree.xpath(path, namespaces=NAMESPACES)]


def test_both_notices_of_an_awarded_call_are_valid_ubl(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    buyer = scene.buyers[0].organisation
    buyer.legal_identifier, buyer.legal_identifier_scheme = "732 829 320", SIRENE
    db.session.commit()
    call = public_builders.open_call(scene)
    startup, _ = public_builders.two_offers(scene, call)

    page = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert f"/procurement/public/calls/{call.id}/eforms/contract-notice.xml" in page
    assert "award-notice.xml" not in page
    notice = _valid_xml(client, call.id, "contract-notice", "ContractNotice")
    assert _texts(notice, "/cn:ContractNotice/cbc:NoticeTypeCode") == ["cn-standard"]
    assert _texts(notice, "//efac:NoticeSubType/cbc:SubTypeCode") == ["16"]
    assert _texts(notice, "/cn:ContractNotice/cbc:ContractFolderID") == [call.ocid]
    assert _texts(notice, "//cac:TenderSubmissionDeadlinePeriod/cbc:EndDate") == [
        call.deadline.strftime("%Y-%m-%dZ")
    ]
    assert _texts(notice, "//cac:ContractingSystem/cbc:ContractingSystemTypeCode") == ["fa-wo-rc"]
    # The buyer's SIREN is published in its legal entity; the offers stay sealed.
    assert "732829320" in _texts(notice, "//efac:Company/cac:PartyLegalEntity/cbc:CompanyID")
    assert set(
        _texts(notice, "//efac:Company/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    ) == {"FRA"}
    text = etree.tostring(notice, encoding="unicode")
    assert startup.vendor.name not in text and not mentions_number(text, "850")
    missing = client.get(f"/procurement/public/calls/{call.id}/eforms/award-notice.xml")
    assert missing.status_code == 404 and "once the call is awarded" in missing.json["detail"]  # type: ignore[index]

    public_builders.pass_deadline(call)
    award = public_builders.award(scene, call, startup, dropout_buyers=(0,))
    page = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert f"/procurement/public/calls/{call.id}/eforms/award-notice.xml" in page
    result = _valid_xml(client, call.id, "award-notice", "ContractAwardNotice")
    assert _texts(result, "/can:ContractAwardNotice/cbc:NoticeTypeCode") == ["can-standard"]
    assert _texts(result, "//efac:NoticeSubType/cbc:SubTypeCode") == ["29"]
    assert _texts(result, "//efac:LotResult/cbc:TenderResultCode") == ["selec-w"]
    assert _texts(result, "//efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount") == [
        "42500.00"
    ]
    assert _texts(result, "//efac:ReceivedSubmissionsStatistics/efbc:StatisticsNumeric") == ["2"]
    assert _texts(result, "//efac:TenderingParty/efac:Tenderer/cbc:ID") == [
        f"ORG-{startup.vendor_id}"
    ]
    assert _texts(result, "//efac:SettledContract/efac:ContractReference/cbc:ID") == [
        line.reference for line in award.lines
    ]
    assert startup.vendor.name in _texts(result, "//efac:Company/cac:PartyName/cbc:Name")


def test_unknown_notices_have_no_xml(client: FlaskClient, create_user: Callable[..., User]) -> None:
    scene = public_builders.scene(create_user(kind=OrganisationKind.AUTHORITY))
    call = public_builders.open_call(scene)
    for kind in ("modification-notice", "prior-information"):
        response = client.get(f"/procurement/public/calls/{call.id}/eforms/{kind}.xml")
        assert response.status_code == 404
    assert (
        client.get("/procurement/public/calls/2147483647/eforms/contract-notice.xml").status_code
        == 404
    )
