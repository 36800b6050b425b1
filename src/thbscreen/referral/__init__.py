"""Referral networks: institutions and channels as a graph, pathways, analysis, export."""

from .model import (
    Channel,
    Contact,
    Institution,
    InstitutionKind,
    Need,
    NetworkSpec,
    Notification,
    Service,
    Stage,
)
from .network import ReferralNetwork, load_network
from .pathway import NoReferralPath, Pathway, Route, Step, Unreached, pathway

__all__ = [
    "Channel",
    "Contact",
    "Institution",
    "InstitutionKind",
    "Need",
    "NetworkSpec",
    "NoReferralPath",
    "Notification",
    "Pathway",
    "ReferralNetwork",
    "Route",
    "Service",
    "Stage",
    "Step",
    "Unreached",
    "load_network",
    "pathway",
]
