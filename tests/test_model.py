"""Model helpers that every format relies on."""

from pathlib import Path

from faasguard.model import Application, DataStore, Loc


def test_references_resolve_across_formats():
    app = Application(root=Path("."))
    app.data_stores += [
        DataStore("Uploads", "s3", Loc("t.yaml", 3)),
        DataStore("aws_s3_bucket.uploads", "s3", Loc("main.tf", 1)),
        DataStore("Stack/Uploads", "s3", Loc("cdk.out/Stack.template.json", 4)),
    ]
    assert app.referenced_ids("arn:aws:s3:::${Uploads}/*") == {"Uploads"}
    assert app.referenced_ids("${Uploads.Arn}") == {"Uploads"}
    assert app.referenced_ids("${aws_s3_bucket.uploads.arn}/*") == {"aws_s3_bucket.uploads"}
    assert app.referenced_ids("${Stack/Uploads.Arn}") == {"Stack/Uploads"}
    assert app.referenced_ids("${Other.Arn}") == set() and app.referenced_ids("arn:aws:s3:::uploads") == set()
