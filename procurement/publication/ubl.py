"""eForms UBL XML of a joint call's notices, built from the notices keyed by Business Terms.

The contract notice is an eForms ``ContractNotice`` of subtype 16 (cn-standard, Directive
2014/24/EU, open procedure); the contract award notice a ``ContractAwardNotice`` of subtype 29
(can-standard). Each Business Term of procurement.publication.eforms sits at the UBL path the
eForms SDK (1.15) gives it in fields/fields.json; docs/EFORMS.md lists them. The tests validate
both documents against the SDK's XSDs.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from procurement.calls.models import JointCall
from procurement.publication.eforms import award_notice, contract_notice

SDK_VERSION = "eforms-sdk-1.15"
UBL_VERSION = "2.3"
CONTRACT_NOTICE_SUBTYPE = "16"
AWARD_NOTICE_SUBTYPE = "29"

NAMESPACES = {
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2",
    "can": "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
for _prefix, _uri in NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)

LANGUAGE = "ENG"
LOT_RESULT_ID = "RES-0001"
TENDER_ID = "TEN-0001"
TENDERING_PARTY_ID = "TPA-0001"

Element = ElementTree.Element

# eForms codelist "country" is ISO 3166-1 alpha-3; organisations record alpha-2.
ALPHA_3 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CH": "CHE", "CY": "CYP", "CZ": "CZE", "DE": "DEU",
    "DK": "DNK", "EE": "EST", "EL": "GRC", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GB": "GBR",
    "GR": "GRC", "HR": "HRV", "HU": "HUN", "IE": "IRL", "IS": "ISL", "IT": "ITA", "LI": "LIE",
    "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "NO": "NOR", "PL": "POL",
    "PT": "PRT", "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}  # fmt: skip


def _name(qualified: str) -> str:
    prefix, local = qualified.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def add(parent: Element, qualified: str, text: Any = None, **attributes: str) -> Element:
    """A child element `prefix:Name` with its text (str() of it) and attributes."""
    child = ElementTree.SubElement(parent, _name(qualified), attributes)
    if text is not None:
        child.text = str(text)
    return child


def _extension(parent: Element) -> Element:
    """The eForms extension slot of a UBL element (ext:UBLExtensions … efext:EformsExtension)."""
    content = add(add(add(parent, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent")
    return add(content, "efext:EformsExtension")


def _utc_date(value: str) -> str:
    """A release date (YYYY-MM-DD, UTC) as an xsd:date with its zone."""
    return value + "Z"


def _utc_time(value: str) -> str:
    """A release time (HH:MM:SS[.fff]Z or +hh:mm) as an xsd:time with its zone."""
    return value if value.endswith("Z") or "+" in value or value.count("-") else value + "Z"


def _amount(parent: Element, qualified: str, value: dict[str, Any]) -> None:
    add(parent, qualified, f"{float(value['amount']):.2f}", currencyID=value["currency"])


def _party_reference(parent: Element, organisation_id: str) -> None:
    add(
        add(parent, "cac:PartyIdentification"), "cbc:ID", organisation_id, schemeName="organization"
    )


def _organisations(extension: Element, notice: dict[str, Any]) -> None:
    organisations = add(extension, "efac:Organizations")
    for organisation in notice["organisations"]:
        company = add(add(organisations, "efac:Organization"), "efac:Company")
        # Order of the UBL Party type: size, identification, name, address, legal entity.
        size = organisation.get("BT-165-Organization-Company")
        if size:
            add(company, "efbc:CompanySizeCode", size, listName="economic-operator-size")
        _party_reference(company, organisation["OPT-200-Organization-Company"])
        add(
            add(company, "cac:PartyName"),
            "cbc:Name",
            organisation["BT-500-Organization-Company"],
            languageID=LANGUAGE,
        )
        address = add(company, "cac:PostalAddress")
        country = organisation["BT-514-Organization-Company"]
        add(
            add(address, "cac:Country"),
            "cbc:IdentificationCode",
            ALPHA_3.get(country, country),
            listName="country",
        )
        identifier = organisation.get("BT-501-Organization-Company")
        if identifier:
            add(
                add(company, "cac:PartyLegalEntity"),
                "cbc:CompanyID",
                identifier,
                schemeName=organisation["identifierScheme"],
            )


def _root(notice: dict[str, Any], document: str, subtype: str) -> tuple[Element, Element]:
    """The document element with its extension (subtype, organisations) and notice metadata."""
    root = Element(_name(document))
    extension = _extension(root)
    add(add(extension, "efac:NoticeSubType"), "cbc:SubTypeCode", subtype, listName="notice-subtype")
    _organisations(extension, notice)
    add(root, "cbc:UBLVersionID", UBL_VERSION)
    add(root, "cbc:CustomizationID", SDK_VERSION)
    add(root, "cbc:ID", notice["BT-701-notice"], schemeName="notice-id")
    add(root, "cbc:ContractFolderID", notice["BT-04-notice"])
    add(root, "cbc:IssueDate", _utc_date(notice["BT-05(a)-notice"]))
    add(root, "cbc:IssueTime", _utc_time(notice["BT-05(b)-notice"]))
    add(root, "cbc:VersionID", "01")
    add(root, "cbc:RegulatoryDomain", notice["BT-01-notice"])
    add(root, "cbc:NoticeTypeCode", notice["BT-02-notice"], listName=notice["BT-03-notice"])
    add(root, "cbc:NoticeLanguageCode", LANGUAGE)
    for organisation in notice["organisations"]:
        if "buyer" not in organisation["roles"]:
            continue
        party = add(root, "cac:ContractingParty")
        legal_type = organisation.get("BT-11-Procedure-Buyer")
        if legal_type:
            add(
                add(party, "cac:ContractingPartyType"),
                "cbc:PartyTypeCode",
                legal_type,
                listName="buyer-legal-type",
            )
        _party_reference(add(party, "cac:Party"), organisation["OPT-200-Organization-Company"])
    return root, extension


def _procedure(root: Element, notice: dict[str, Any]) -> None:
    process = add(root, "cac:TenderingProcess")
    add(
        process,
        "cbc:ProcedureCode",
        notice["BT-105-Procedure"],
        listName="procurement-procedure-type",
    )
    project = add(root, "cac:ProcurementProject")
    add(project, "cbc:Name", notice["BT-21-Procedure"], languageID=LANGUAGE)
    add(project, "cbc:Description", notice["BT-24-Procedure"], languageID=LANGUAGE)
    add(
        project,
        "cbc:ProcurementTypeCode",
        notice["BT-23-Procedure"],
        listName="contract-nature",
    )


def _contract_lot(root: Element, notice: dict[str, Any]) -> None:
    lot = add(root, "cac:ProcurementProjectLot")
    add(lot, "cbc:ID", notice["BT-137-Lot"], schemeName="Lot")
    terms = add(lot, "cac:TenderingTerms")
    criteria = notice["BT-809-Lot"]
    if criteria:
        selection = _extension(terms)
        for title in criteria:
            criterion = add(selection, "efac:SelectionCriteria")
            add(
                criterion,
                "cbc:TendererRequirementTypeCode",
                "tp-abil",  # technical and professional ability: the label
                listName="selection-criterion",
            )
            add(criterion, "cbc:Description", title, languageID=LANGUAGE)
    awarding = add(add(terms, "cac:AwardingTerms"), "cac:AwardingCriterion")
    subordinate = add(awarding, "cac:SubordinateAwardingCriterion")
    add(
        subordinate,
        "cbc:AwardingCriterionTypeCode",
        notice["BT-539-LotsGroup"],
        listName="award-criterion-type",
    )
    add(subordinate, "cbc:Description", notice["BT-540-Lot"], languageID=LANGUAGE)
    process = add(lot, "cac:TenderingProcess")
    add(process, "cbc:SubmissionMethodCode", notice["BT-17-Lot"], listName="esubmission")
    deadline = add(process, "cac:TenderSubmissionDeadlinePeriod")
    add(deadline, "cbc:EndDate", _utc_date(notice["BT-131(d)-Lot"]))
    add(deadline, "cbc:EndTime", _utc_time(notice["BT-131(t)-Lot"]))
    framework = add(process, "cac:FrameworkAgreement")
    add(framework, "cbc:MaximumOperatorQuantity", notice["BT-113-Lot"])
    add(
        add(process, "cac:ContractingSystem"),
        "cbc:ContractingSystemTypeCode",
        notice["BT-765-Lot"],
        listName="framework-agreement",
    )
    project = add(lot, "cac:ProcurementProject")
    add(project, "cbc:Name", notice["BT-21-Lot"], languageID=LANGUAGE)
    add(project, "cbc:ProcurementTypeCode", notice["BT-23-Procedure"], listName="contract-nature")
    total = add(project, "cac:RequestedTenderTotal")
    _amount(_extension(total), "efbc:FrameworkMaximumAmount", notice["BT-271-Lot"])
    _amount(total, "cbc:EstimatedOverallContractAmount", notice["BT-27-Lot"])
    if notice["BT-36-Lot"] is not None:
        add(
            add(project, "cac:PlannedPeriod"),
            "cbc:DurationMeasure",
            notice["BT-36-Lot"],
            unitCode="DAY",
        )


def contract_notice_xml(call: JointCall) -> bytes:
    """The contract notice as an eForms ContractNotice (subtype 16), UTF-8 XML.

    NoticeUnavailable (from the eforms module) when the call has none."""
    notice = contract_notice(call)
    root, _ = _root(notice, "cn:ContractNotice", CONTRACT_NOTICE_SUBTYPE)
    _procedure(root, notice)
    _contract_lot(root, notice)
    return _serialised(root)


def _contract_id(number: int) -> str:
    return f"CON-{number:04d}"


def _notice_result(extension: Element, notice: dict[str, Any]) -> None:
    contracts = notice["contracts"]
    result = Element(_name("efac:NoticeResult"))
    extension.insert(0, result)  # the extension's sequence puts it before the subtype
    lot_result = add(result, "efac:LotResult")
    add(lot_result, "cbc:ID", LOT_RESULT_ID, schemeName="result")
    add(
        lot_result,
        "cbc:TenderResultCode",
        notice["BT-142-LotResult"],
        listName="winner-selection-status",
    )
    add(add(lot_result, "efac:LotTender"), "cbc:ID", TENDER_ID, schemeName="tender")
    values = add(lot_result, "efac:FrameworkAgreementValues")
    _amount(values, "cbc:MaximumValueAmount", notice["BT-709-LotResult"])
    statistics = add(lot_result, "efac:ReceivedSubmissionsStatistics")
    add(statistics, "efbc:StatisticsCode", "tenders", listName="received-submission-type")
    add(statistics, "efbc:StatisticsNumeric", notice["BT-759-LotResult"])
    for number, _contract in enumerate(contracts, start=1):
        add(
            add(lot_result, "efac:SettledContract"),
            "cbc:ID",
            _contract_id(number),
            schemeName="contract",
        )
    add(add(lot_result, "efac:TenderLot"), "cbc:ID", notice["BT-137-Lot"], schemeName="Lot")

    tender = add(result, "efac:LotTender")
    add(tender, "cbc:ID", TENDER_ID, schemeName="tender")
    _amount(add(tender, "cac:LegalMonetaryTotal"), "cbc:PayableAmount", notice["BT-720-Tender"])
    add(
        add(tender, "efac:TenderingParty"),
        "cbc:ID",
        TENDERING_PARTY_ID,
        schemeName="tendering-party",
    )
    add(add(tender, "efac:TenderLot"), "cbc:ID", notice["BT-137-Lot"], schemeName="Lot")
    add(add(tender, "efac:TenderReference"), "cbc:ID", notice["BT-3201-Tender"])

    for number, contract in enumerate(contracts, start=1):
        settled = add(result, "efac:SettledContract")
        add(settled, "cbc:ID", _contract_id(number), schemeName="contract")
        add(settled, "cbc:AwardDate", _utc_date(notice["BT-1451-Contract"]))
        add(settled, "cbc:IssueDate", _utc_date(contract["BT-145-Contract"]))
        signatory = add(settled, "cac:SignatoryParty")
        _party_reference(signatory, contract["OPT-300-Contract-Signatory"])
        add(add(settled, "efac:ContractReference"), "cbc:ID", contract["BT-150-Contract"])
        add(add(settled, "efac:LotTender"), "cbc:ID", TENDER_ID, schemeName="tender")

    party = add(result, "efac:TenderingParty")
    add(party, "cbc:ID", TENDERING_PARTY_ID, schemeName="tendering-party")
    for supplier in notice["OPT-300-Tenderer"]:
        add(add(party, "efac:Tenderer"), "cbc:ID", supplier, schemeName="organization")


def _award_lot(root: Element, notice: dict[str, Any]) -> None:
    lot = add(root, "cac:ProcurementProjectLot")
    add(lot, "cbc:ID", notice["BT-137-Lot"], schemeName="Lot")
    project = add(lot, "cac:ProcurementProject")
    add(project, "cbc:Name", notice["BT-21-Lot"], languageID=LANGUAGE)
    add(project, "cbc:ProcurementTypeCode", notice["BT-23-Procedure"], listName="contract-nature")
    # The UBL document requires a tender result; eForms only keeps its placeholder award date.
    add(add(root, "cac:TenderResult"), "cbc:AwardDate", _utc_date(notice["BT-1451-Contract"]))


def award_notice_xml(call: JointCall) -> bytes:
    """The contract award notice as an eForms ContractAwardNotice (subtype 29), UTF-8 XML.

    NoticeUnavailable (from the eforms module) when the call has none (yet)."""
    notice = award_notice(call)
    root, extension = _root(notice, "can:ContractAwardNotice", AWARD_NOTICE_SUBTYPE)
    _notice_result(extension, notice)
    _procedure(root, notice)
    _award_lot(root, notice)
    return _serialised(root)


def _serialised(root: Element) -> bytes:
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
