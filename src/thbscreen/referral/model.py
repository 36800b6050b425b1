"""The referral-network model: frozen attrs classes mirroring the network file format."""

from __future__ import annotations

import enum

from attrs import field, frozen

from ..model import Fact, Provenance, Text

__all__ = [
    "Channel",
    "Contact",
    "Institution",
    "InstitutionKind",
    "Need",
    "NetworkSpec",
    "Notification",
    "Service",
    "Stage",
]


class InstitutionKind(enum.Enum):
    """Organisation types of IOM's Human Trafficking Case Data Standard."""

    NGO = "NGO"
    LAW_ENFORCEMENT = "LawEnforcement"
    HEALTH_SERVICE_ORGANISATION = "HealthServiceOrganisation"
    CENTRAL_GOVERNMENT_ORGANISATION = "CentralGovernmentOrganisation"
    LOCAL_GOVERNMENT_ORGANISATION = "LocalGovernmentOrganisation"
    IMMIGRATION_SERVICE = "ImmigrationService"
    LEGAL_SERVICE = "LegalService"
    CORPORATE_BUSINESS = "CorporateBusiness"


class Stage(enum.Enum):
    """National Referral Mechanism stages (EU TRM phases, OSCE NRM pillars), in order."""

    DETECTION = "detection"
    IDENTIFICATION = "identification"
    FIRST_ASSISTANCE = "first_assistance"
    RESIDENCE = "residence"
    LONG_TERM_ASSISTANCE = "long_term_assistance"
    RETURN = "return"
    PROCEEDINGS = "proceedings"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


@frozen
class Service:
    id: str
    title: Text
    stage: Stage
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class Need:
    when: str
    services: tuple[str, ...]
    description: Text | None = None


@frozen
class Contact:
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    address: str | None = None


@frozen
class Institution:
    id: str
    name: Text
    kind: InstitutionKind
    services: tuple[str, ...] = ()
    first_contact: bool = False
    eligibility: str | None = None
    languages: tuple[str, ...] = ()
    jurisdiction: str | None = None
    hours: str | None = None
    contact: Contact | None = None
    capacity: int | None = None
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class Notification:
    duty: Text
    deadline_days: int | None = None


@frozen
class Channel:
    id: str
    from_: str
    to: str
    stage: Stage
    when: str | None = None
    consent: bool = False
    notification: Notification | None = None
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class NetworkSpec:
    """A referral network as written in its file."""

    id: str
    version: str
    title: Text
    provenance: Provenance
    outcomes: tuple[str, ...]
    services: tuple[Service, ...]
    needs: tuple[Need, ...]
    institutions: tuple[Institution, ...]
    channels: tuple[Channel, ...]
    format: int = 1
    description: Text | None = None
    languages: tuple[str, ...] = ("en",)
    jurisdiction: str | None = None
    facts: tuple[Fact, ...] = ()
    source: str | None = field(default=None, eq=False, repr=False)
    hash: str = field(default="", eq=False, repr=False)

    def provenance_of(self, item: Institution | Channel | Service) -> Provenance:
        own = item.provenance
        return own.over(self.provenance) if own is not None else self.provenance
