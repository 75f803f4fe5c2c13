"""CPV codes (Regulation (EC) No 213/2008) and their check digits.

A CPV code is 8 digits and a check digit, written 35120000-1. The Publications Office, which
maintains the vocabulary, documents a weighting method for the check digit but acknowledges that
the check digits published in the 2008 revision do not all follow it; the published digit is the
one notices use. So a code is checked against the published digits of the codes the portal knows
(``KNOWN``, taken from the official vocabulary): a code whose check digit differs from the
published one, or a code the portal does not know, is refused, and a code given without its
check digit takes the published one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CPV_SHAPE = re.compile(r"^(\d{8})(?:-(\d))?$")

# Code → (published check digit, English title). The codes of the security technology
# categories, and those near them an authority may choose.
KNOWN: dict[str, tuple[int, str]] = {
    "30200000": (1, "Computer equipment and supplies"),
    "31625300": (6, "Burglar-alarm systems"),
    "32000000": (3, "Radio, television, communication, telecommunication and related equipment"),
    "32323500": (8, "Video-surveillance system"),
    "32420000": (3, "Network equipment"),
    "35120000": (1, "Surveillance and security systems and devices"),
    "35121700": (5, "Alarm systems"),
    "35125000": (6, "Surveillance systems"),
    "35125100": (7, "Sensors"),
    "35125300": (2, "Security cameras"),
    "35240000": (8, "Sirens"),
    "38431200": (7, "Smoke-detection apparatus"),
    "42961100": (1, "Access control system"),
    "48000000": (8, "Software package and information systems"),
    "48730000": (4, "Security software package"),
    "48760000": (3, "Virus protection software package"),
    "48761000": (0, "Anti-virus software package"),
    "72000000": (5, "IT services: consulting, software development, Internet and support"),
    "72212730": (5, "Security software development services"),
    "72220000": (3, "Systems and technical consultancy services"),
    "72224000": (1, "Project management consultancy services"),
    "72227000": (2, "Software integration consultancy services"),
    "72230000": (6, "Custom software development services"),
    "72260000": (5, "Software-related services"),
    "72267000": (4, "Software maintenance and repair services"),
    "72611000": (6, "Technical computer support services"),
    "79714000": (2, "Surveillance services"),
}


def problem(code: str) -> str | None:
    """Why the code is not a CPV code the notice may carry, or None when it is."""
    found = CPV_SHAPE.match(code)
    if found is None:
        return f"{code!r} is not a CPV code: write 8 digits and the check digit, e.g. 35120000-1."
    digits, check = found.groups()
    if digits not in KNOWN:
        return (
            f"{code} is not a CPV code this portal knows ({len(KNOWN)} codes of security "
            "technology, procurement/calls/legal/cpv.py)."
        )
    published = KNOWN[digits][0]
    if check is not None and int(check) != published:
        return f"{code} has a wrong check digit: the CPV code is {digits}-{published}."
    return None


def full_code(code: str) -> str:
    """The code with its published check digit (the code must pass ``problem``)."""
    digits = code[:8]
    return f"{digits}-{KNOWN[digits][0]}"


def title(code: str) -> str:
    """The English title of a known code."""
    return KNOWN[code[:8]][1]


def setting_problems(configured: Any) -> list[str]:
    """What is wrong with a CPV_CODES setting: a mapping of category code → code or codes."""
    if not configured:
        return []
    if not isinstance(configured, Mapping):
        return ["SAFETECH_CPV_CODES must map category codes to CPV codes (a JSON object)."]
    problems = []
    for category, codes in configured.items():
        listed = [codes] if isinstance(codes, str) else codes
        if not isinstance(listed, list | tuple) or not listed:
            problems.append(f"{category}: give a CPV code or a list of CPV codes.")
            continue
        problems += [
            f"{category}: {found}" for found in (problem(str(code)) for code in listed) if found
        ]
    return problems


def check_setting(configured: Any) -> None:
    """Refuse to start with a wrong CPV_CODES setting, naming every wrong code."""
    problems = setting_problems(configured)
    if problems:
        raise RuntimeError("SAFETECH_CPV_CODES is wrong: " + " ".join(problems))
