"""Advisory services: the local OSV directory, `advisories update` and `--online`, against 127.0.0.1."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from faasguard.deps.osv_local import INDEX, META, LocalOsvService
from faasguard.deps.osv_online import OsvOnlineService
from faasguard.deps.update import update
from tests.deps.conftest import write_db


def test_local_db_finds_merges_and_reports_fixed(osv_db):
    service = LocalOsvService(osv_db)
    answers = service.audit([("npm", "lodash", "4.17.15"), ("PyPI", "Jinja2", "2.10"), ("PyPI", "requests", "2.31.0")])
    lodash = answers[("npm", "lodash", "4.17.15")]
    assert lodash.audited and [a.id for a in lodash.advisories] == ["GHSA-p6mc-m468-83gw"]
    assert lodash.advisories[0].fixed == ("4.17.19",)
    jinja = answers[("PyPI", "jinja2", "2.10")]
    assert [a.id for a in jinja.advisories] == ["GHSA-462w-v97r-4m45"]
    clean = answers[("PyPI", "requests", "2.31.0")]
    assert clean.audited and clean.advisories == ()  # the withdrawn record does not count
    assert service.status().warnings == []
    # A scan never writes into the directory it is given (it may be in the scanned repository):
    # the index it built is kept in the user cache.
    assert not (osv_db / INDEX).exists()
    assert service._cached_index().is_file()
    assert str(service._cached_index()).startswith(os.environ["XDG_CACHE_HOME"])


def test_index_is_rebuilt_when_records_are_added(osv_db):
    LocalOsvService(osv_db).index()
    extra = {
        "id": "GHSA-new0-0000-0000",
        "modified": "2025-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.3.0"]}],
    }
    time.sleep(0.01)
    write_db(osv_db, [extra])
    answer = LocalOsvService(osv_db).audit([("npm", "left-pad", "1.3.0")])
    assert [a.id for a in answer[("npm", "left-pad", "1.3.0")].advisories] == ["GHSA-new0-0000-0000"]


def test_missing_db_is_a_loud_warning_and_nothing_is_audited(tmp_path):
    service = LocalOsvService(tmp_path / "nowhere")
    [warning] = service.status().warnings
    assert "does not exist" in warning and "NO dependency was checked" in warning
    answer = service.audit([("npm", "lodash", "4.17.15")])[("npm", "lodash", "4.17.15")]
    assert not answer.audited and answer.reason == "no npm advisory data"


def test_empty_db_is_a_loud_warning(tmp_path):
    (tmp_path / "db" / "npm").mkdir(parents=True)
    [warning] = LocalOsvService(tmp_path / "db").status().warnings
    assert "holds no OSV records" in warning


def test_stale_db_is_a_warning(osv_db):
    (osv_db / META).write_text(json.dumps({"updated": "2020-01-01T00:00:00+00:00"}))
    warnings = LocalOsvService(osv_db).status().warnings
    assert any("days old (updated 2020-01-01)" in w for w in warnings)


def test_db_with_one_ecosystem_warns_about_the_other(tmp_path):
    from tests.deps.conftest import LODASH

    db = write_db(tmp_path / "db", [LODASH])
    assert LocalOsvService(db).status().warnings == [f"advisory database {db} has no PyPI records: PyPI packages are not audited"]


def test_update_downloads_the_exports_from_a_local_server(osv_server, tmp_path):
    db = tmp_path / "advisories"
    report = update(db, osv_server.url)
    assert report.errors == []
    assert report.records == {"PyPI": 4, "npm": 3}
    assert sorted(p.name for p in (db / "npm").iterdir()) == [
        "GHSA-p6mc-m468-83gw.json", "GHSA-xvch-5gv4-984h.json", "MAL-2022-1234.json"
    ]
    assert "GET /PyPI/all.zip" in osv_server.requests and "GET /npm/all.zip" in osv_server.requests
    assert json.loads((db / META).read_text())["sources"]["npm"]["records"] == 3
    service = LocalOsvService(db)
    assert service.status().warnings == []
    assert service.audit([("npm", "lodash", "4.17.15")])[("npm", "lodash", "4.17.15")].advisories


def test_failed_update_keeps_the_previous_data(osv_server, tmp_path):
    db = tmp_path / "advisories"
    update(db, osv_server.url)
    osv_server.broken.add("/npm/all.zip")
    report = update(db, osv_server.url)
    assert report.records == {"PyPI": 4}
    assert report.errors == [f"{osv_server.url}/npm/all.zip answered HTTP 500"]
    assert len(list((db / "npm").iterdir())) == 3


def test_update_refuses_path_traversal_in_the_zip(osv_server, tmp_path):
    import io
    import zipfile

    from faasguard.deps import update as update_module

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../evil.json", json.dumps({"id": "EVIL-1", "affected": []}))
    archive = tmp_path / "all.zip"
    archive.write_bytes(buffer.getvalue())
    target = tmp_path / "out"
    target.mkdir()
    assert update_module._extract(archive, target, "npm") == 1
    assert (target / "evil.json").is_file() and not (tmp_path.parent / "evil.json").exists()


def test_online_queries_the_api_and_caches_answers(osv_server, tmp_path):
    cache = tmp_path / "cache"
    service = OsvOnlineService(osv_server.url, cache)
    answers = service.audit([("npm", "lodash", "4.17.15"), ("npm", "lodash", "4.17.21"), ("PyPI", "jinja2", "2.10")])
    assert [a.id for a in answers[("npm", "lodash", "4.17.15")].advisories] == ["GHSA-p6mc-m468-83gw"]
    assert answers[("npm", "lodash", "4.17.21")].audited and not answers[("npm", "lodash", "4.17.21")].advisories
    assert [a.id for a in answers[("PyPI", "jinja2", "2.10")].advisories] == ["GHSA-462w-v97r-4m45"]
    assert osv_server.requests.count("POST /v1/querybatch") == 1
    assert service.status().warnings == []

    osv_server.requests.clear()
    again = OsvOnlineService(osv_server.url, cache).audit([("npm", "lodash", "4.17.15")])
    assert again[("npm", "lodash", "4.17.15")].advisories and osv_server.requests == []  # served from the cache


def test_online_cache_expires(osv_server, tmp_path):
    cache = tmp_path / "cache"
    OsvOnlineService(osv_server.url, cache).audit([("npm", "lodash", "4.17.15")])
    old = time.time() - 2 * 86400
    for path in cache.rglob("*.json"):
        entry = json.loads(path.read_text())
        entry["fetched"] = old
        path.write_text(json.dumps(entry))
        os.utime(path, (old, old))
    osv_server.requests.clear()
    OsvOnlineService(osv_server.url, cache).audit([("npm", "lodash", "4.17.15")])
    assert "POST /v1/querybatch" in osv_server.requests


def test_online_failure_is_unaudited_never_clean(tmp_path):
    service = OsvOnlineService("http://127.0.0.1:9", tmp_path / "cache", timeout=2)
    answer = service.audit([("npm", "lodash", "4.17.15")])[("npm", "lodash", "4.17.15")]
    assert not answer.audited and answer.reason == "the OSV API could not be queried"
    [warning] = service.status().warnings
    assert "NOT checked" in warning


def test_default_db_honours_the_environment(monkeypatch, tmp_path):
    from faasguard.deps.osv_local import default_db

    monkeypatch.setenv("FAASGUARD_ADVISORY_DB", str(tmp_path))
    assert default_db() == Path(tmp_path)
    monkeypatch.delenv("FAASGUARD_ADVISORY_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db() == tmp_path / ".cache" / "faasguard" / "advisories"
