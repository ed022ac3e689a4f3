"""The national profile validator, lent to the catalog's province export (catalog/federation.py): a
dataset whose province entry has an error-level finding is not federated, exactly as a harvest run
and the openness index judge datasets (the same ``validate_dataset``)."""

from __future__ import annotations

import hashlib

from abiertos.catalog.federation import FederationJudge, federation_judge_register

from .rules import RULES
from .validator import dataset_has_errors

# Bump when validator.py's checks change; the rules' codes and levels are digested on their own.
VALIDATOR_VERSION = "1"


def judge_version() -> str:
    rules = sorted((code, rule.level, rule.profile) for code, rule in RULES.items())
    return f"{VALIDATOR_VERSION}-{hashlib.sha256(repr(rules).encode()).hexdigest()[:12]}"


def entry_federable(entry: dict, taxonomy: set[str]) -> bool:
    return not dataset_has_errors(entry, taxonomy=taxonomy)


def register() -> None:
    federation_judge_register(FederationJudge("monitoring.profile", judge_version(), entry_federable))
