import urllib.request


def download(url):
    with urllib.request.urlopen(url, timeout=10) as resp:  # expect: FG-INJ-014
        body = resp.read()
    with urllib.request.urlopen("https://billing.example.com/invoices/latest", timeout=10) as resp:  # ok: FG-INJ-014
        body += resp.read()
    return body.decode()
