# handlers: fetch_feed render_badge
import functions_framework
import requests
import yaml


@functions_framework.http
def fetch_feed(request):
    data = request.get_json(silent=True) or {}
    feed_url = data.get("feed") or request.args.get("feed")
    resp = requests.get(feed_url, timeout=10)  # expect: FG-INJ-014
    settings = yaml.load(request.data, Loader=yaml.FullLoader)  # expect: FG-INJ-013
    return {"len": len(resp.content), "settings": settings}


@functions_framework.http
def render_badge(request):
    label = request.args.get("label", "build")
    color = request.form.get("color", "green")
    svg = "<svg><text fill='" + color + "'>" + label + "</text></svg>"
    return svg, 200, {"Content-Type": "text/html"}  # expect: FG-INJ-018
