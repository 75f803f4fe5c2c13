"""The mark: its rules, the mark pack a label's vendor downloads while the label is valid, and
the notice to stop using it when the label stops being valid.

The pack is a ZIP of the mark as SVG and PNG, carrying the label number and level, and the
rules for using the mark as text. Each download is audited.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from evaluations.agreement.services import current_version
from evaluations.models import Label, LabelStatus
from registry import audit
from registry.access import require_role
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User

# Fixed date and time inside the ZIP: the same label gives the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
BLUE, WHITE = "#005ea2", "#ffffff"

NO_RULES = "The authority has not published rules for the mark yet."

STOP_NOTICE = {
    LabelStatus.SUSPENDED: (
        "Stop using the mark now: while the label is suspended, you may not show the mark or "
        "use the mark pack (on products, packaging, documents, websites or advertising). "
        "You may use them again only once the authority reinstates the label."
    ),
    LabelStatus.REVOKED: (
        "Stop using the mark now: the label is withdrawn. Remove the mark and the mark pack "
        "from products, packaging, documents, websites and advertising. The mark may be used "
        "again only if the authority reinstates the label."
    ),
    LabelStatus.EXPIRED: (
        "Stop using the mark now: the label has expired. Remove the mark and the mark pack "
        "from products, packaging, documents, websites and advertising until a new label is "
        "issued or the authority reinstates this one."
    ),
}

REFUSAL = {
    LabelStatus.SUSPENDED: "is suspended: the mark may not be used until the authority "
    "reinstates it.",
    LabelStatus.REVOKED: "is withdrawn (revoked): the mark may no longer be used.",
    LabelStatus.EXPIRED: "has expired: the mark may no longer be used.",
}


def stop_using_notice(label: Label) -> str:
    """The paragraph a vendor's mail carries when the label stops being valid, or ''."""
    return STOP_NOTICE.get(label.status, "")


def mark_rules_text() -> str:
    """The rules for using the mark, from the agreement in force."""
    version = current_version()
    return version.mark_rules if version is not None else NO_RULES


def mark_svg(label: Label) -> str:
    """The mark as SVG, with the label's number and level."""
    number, level = escape(label.number), escape(label.level)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="240" '
        'viewBox="0 0 480 240" role="img">\n'
        f"  <title>SafeTech certified — label {number}, {level}</title>\n"
        f'  <rect x="4" y="4" width="472" height="232" rx="24" fill="{WHITE}" '
        f'stroke="{BLUE}" stroke-width="8"/>\n'
        f'  <rect x="4" y="4" width="472" height="72" rx="24" fill="{BLUE}"/>\n'
        f'  <text x="240" y="54" font-family="sans-serif" font-size="36" font-weight="bold" '
        f'fill="{WHITE}" text-anchor="middle">SafeTech certified</text>\n'
        f'  <text x="240" y="140" font-family="sans-serif" font-size="34" fill="{BLUE}" '
        f'text-anchor="middle">{level}</text>\n'
        f'  <text x="240" y="200" font-family="monospace" font-size="30" fill="{BLUE}" '
        f'text-anchor="middle">{number}</text>\n'
        "</svg>\n"
    )


def mark_png(label: Label) -> bytes:
    """The mark as PNG (480 x 240), with the label's number and level."""
    image = Image.new("RGB", (480, 240), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 476, 236), radius=24, outline=BLUE, width=8)
    draw.rounded_rectangle((4, 4, 476, 76), radius=24, fill=BLUE)
    title, big = ImageFont.load_default(size=34), ImageFont.load_default(size=30)
    draw.text((240, 40), "SafeTech certified", fill=WHITE, font=title, anchor="mm")
    draw.text((240, 130), label.level, fill=BLUE, font=big, anchor="mm")
    draw.text((240, 190), label.number, fill=BLUE, font=big, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _rules_file(label: Label) -> str:
    return (
        f"Rules for using the SafeTech mark — label {label.number} ({label.level})\n\n"
        f"The mark may be used only while the label is valid; check it at /labels/"
        f"{label.number}.\n\n{mark_rules_text().strip()}\n"
    )


def _add(archive: zipfile.ZipFile, name: str, data: bytes | str) -> None:
    archive.writestr(
        zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED
    )


def mark_pack(actor: User | None, label: Label) -> bytes:
    """The ZIP for the label's own vendor, only while the label is valid; audited."""
    user = require_role(actor, Role.VENDOR)
    if label.vendor_id != user.organisation_id:
        raise NotVisible()
    if label.status is not LabelStatus.VALID:
        raise RuleViolation(
            f"The mark pack is not available: label {label.number} "
            + REFUSAL.get(label.status, "is not valid.")
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, f"mark-{label.number}.svg", mark_svg(label))
        _add(archive, f"mark-{label.number}.png", mark_png(label))
        _add(archive, "mark-rules.txt", _rules_file(label))
    audit.record(
        user,
        "label.mark_pack",
        label,
        summary=f"Mark pack of label {label.number} downloaded by {user.email}",
        data={"label": label.number},
        organisation_id=label.vendor_id,
    )
    return out.getvalue()
