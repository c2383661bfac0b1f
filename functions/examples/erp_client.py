#!/usr/bin/env python3
"""An ERP's whole loop with hoadon, in the standard library only (Python 3.9+).

1. (once, as an admin) an `integration` access token for the ERP, a webhook endpoint for
   `invoice.signed`, and the order settings (the series invoices from orders go to);
2. (the ERP, with its token) an order sent with `PUT /api/orders/{id}`, invoiced with
   `POST /api/orders/{id}/invoice` (retrying is safe: the same invoice comes back);
3. the webhook received, its Standard Webhooks signature verified (HMAC-SHA256 over
   "id.timestamp.body" with the secret's bytes) and a replay within 5 minutes refused;
4. the invoice's PDF and signed XML downloaded.

    python3 functions/examples/erp_client.py --base http://127.0.0.1:8080 \\
        --email admin@example.vn --password '…' [--out DIR] [--registered-elsewhere]

Local system only as written: the receiver listens on 127.0.0.1 over plain http, which hoadon
accepts for webhooks only on its local system (production endpoints are https on public
addresses). Exit status 0 when every step checked out.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


def call(base, token, method, path, body=None):
    """One JSON request; returns (status, parsed body or bytes)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw, status, kind = r.read(), r.status, r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        raw, status, kind = e.read(), e.code, e.headers.get("content-type", "")
    if "json" in kind:
        return status, json.loads(raw)
    return status, raw


def must(answer, *ok):
    status, body = answer
    if status not in ok:
        sys.exit(f"unexpected answer {status}: {body!r}"[:2000])
    return body


def verify_webhook(secret, headers, body, now=None, tolerance=300):
    """The Standard Webhooks check: the signature over "id.timestamp.body", a fresh timestamp."""
    msg_id, ts, sigs = headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]
    now = time.time() if now is None else now
    if abs(now - int(ts)) > tolerance:
        raise ValueError("timestamp outside the tolerance (a replay?)")
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for sig in sigs.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise ValueError("no valid signature")


def receiver():
    """A webhook receiver on 127.0.0.1: each delivery as (headers, body) on a queue."""
    inbox = queue.Queue()

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            inbox.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, inbox


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--out", default=".")
    p.add_argument("--series", default=None, help="form+symbol, e.g. 1K26TEX (made if missing)")
    p.add_argument("--registered-elsewhere", action="store_true",
                   help="say the company registered its invoices with the authority elsewhere "
                        "(a fresh local system, to skip the 01/ĐKTĐ-HĐĐT registration)")
    a = p.parse_args()
    base = a.base.rstrip("/")

    # 1. Set-up, as an admin.
    admin = must(call(base, None, "POST", "/api/login", {"email": a.email, "password": a.password}), 200)["token"]
    erp = must(call(base, admin, "POST", "/api/access-tokens", {"name": "ERP example", "role": "integration", "expires_in_days": 1}), 201)["token"]
    server, inbox = receiver()
    hook = must(call(base, admin, "POST", "/api/webhooks", {
        "url": f"http://127.0.0.1:{server.server_port}/hoadon",
        "events": ["invoice.signed"],
        "description": "ERP example",
    }), 201)
    secret = hook["secret"]
    if a.registered_elsewhere:
        must(call(base, admin, "PUT", "/api/authority/settings", {"registered_elsewhere": True}), 200)
    year = time.strftime("%y", time.gmtime(time.time() + 7 * 3600))
    series = a.series or f"1K{year}TEX"
    must(call(base, admin, "POST", "/api/series", {"form": series[0], "symbol": series[1:]}), 201, 409)
    settings = must(call(base, admin, "GET", "/api/order-settings"), 200)
    settings.update({"series": series, "unknown_codes": "create"})
    must(call(base, admin, "PUT", "/api/order-settings", settings), 200)

    # 2. The ERP: an order, then its invoice (twice: a retry gets the same invoice).
    order_id = "SO-" + uuid.uuid4().hex[:10]
    order = {
        "version": 1,
        "status": "completed",
        "customer": {"code": "KH-EXAMPLE", "name": "Công ty TNHH Ví Dụ", "address": "1 Đinh Tiên Hoàng, Hà Nội"},
        "lines": [
            {"line_id": "1", "product_code": "SP-EXAMPLE", "name": "Dịch vụ tư vấn", "unit": "Giờ",
             "quantity": "3", "unit_price": "500000", "tax_rate": "10%", "amount": "1500000", "vat_amount": "150000"},
        ],
        "total": "1650000",
    }
    must(call(base, erp, "PUT", f"/api/orders/{order_id}", order), 201)
    first = must(call(base, erp, "POST", f"/api/orders/{order_id}/invoice", {}), 201)
    again = must(call(base, erp, "POST", f"/api/orders/{order_id}/invoice", {}), 200)
    invoice_id = first["invoice"]["id"]
    assert again["invoice"]["id"] == invoice_id, "a retry gives the same invoice"
    print(f"order {order_id} → invoice {invoice_id} number {first['invoice'].get('number')}")

    # 3. The webhook, verified.
    deadline = time.time() + 60
    event = None
    while time.time() < deadline and event is None:
        try:
            headers, body = inbox.get(timeout=1)
        except queue.Empty:
            continue
        payload = verify_webhook(secret, headers, body)
        if payload["data"].get("invoice_id") == invoice_id:
            event = payload
            try:
                verify_webhook(secret, headers, body, now=int(headers["webhook-timestamp"]) + 3600)
                sys.exit("a stale timestamp was accepted")
            except ValueError:
                pass
            try:
                verify_webhook(secret, headers, body.replace(b"invoice", b"INVOICE", 1))
                sys.exit("a changed body was accepted")
            except ValueError:
                pass
    if event is None:
        sys.exit("no invoice.signed webhook within 60 s")
    print(f"webhook {event['type']} verified (webhook-id {headers['webhook-id']})")

    # 4. The documents.
    os.makedirs(a.out, exist_ok=True)
    for kind, magic in (("pdf", b"%PDF"), ("xml", b"<")):
        status, data = call(base, erp, "GET", f"/api/invoices/{invoice_id}/{kind}")
        if status != 200 or not bytes(data).lstrip().startswith(magic):
            sys.exit(f"{kind}: {status}")
        path = os.path.join(a.out, f"{invoice_id}.{kind}")
        with open(path, "wb") as f:
            f.write(data)
        print(f"saved {path} ({len(data)} bytes)")
    server.shutdown()
    print("ok")


if __name__ == "__main__":
    main()
