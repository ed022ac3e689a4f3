"""Validate a catalog (data.json or catalog.xlsx) with pydatajson and print a JSON verdict.

Runs inside .venv-pydatajson (pydatajson pins old libraries, so it never shares the platform's
environment). Usage: .venv-pydatajson/bin/python tools/pydatajson_validate.py CATALOG_PATH

Prints {"valid": bool, "errors": [...], "datasets": N, "distributions": N}; each error names
where it is (catalog, or a dataset by index and identifier) and the validator's message.
"""

import json
import sys


def _flatten(report):
    errors = []
    catalog = report["error"]["catalog"]
    for error in catalog.get("errors", []):
        errors.append({"where": "catalog", "message": error.get("message"), "path": error.get("path")})
    for dataset in report["error"].get("dataset") or []:
        for error in dataset.get("errors", []):
            errors.append(
                {
                    "where": "dataset[{}] {}".format(dataset.get("list_index"), dataset.get("identifier")),
                    "message": error.get("message"),
                    "path": error.get("path"),
                }
            )
    return errors


def main(path):
    import pydatajson

    try:
        catalog = pydatajson.DataJson(path)
    except Exception as exc:  # a catalog pydatajson cannot even read is a failed validation
        print(json.dumps({"valid": False, "errors": [{"where": "read", "message": str(exc)}]}))
        return 1
    valid = catalog.is_valid_catalog()
    report = catalog.validate_catalog(only_errors=True)
    datasets = catalog.get("dataset") or []
    verdict = {
        "valid": bool(valid) and report["status"] == "OK",
        "errors": _flatten(report),
        "datasets": len(datasets),
        "distributions": sum(len(d.get("distribution") or []) for d in datasets),
        "catalog": catalog if "--dump" in sys.argv else None,
    }
    print(json.dumps(verdict, ensure_ascii=False, default=str))
    return 0 if verdict["valid"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
