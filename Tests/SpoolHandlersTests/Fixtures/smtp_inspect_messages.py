#!/usr/bin/env python3
"""Parses every message in an smtp_test_server.py log with Python's email package and prints one JSON
document: a list of {envelope, status, defects, headers (decoded), raw_headers, max_line, bare_lf, parts}."""
import base64
import email
import email.policy
import email.utils
import json
import sys


def main():
    out = []
    with open(sys.argv[1]) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            raw = base64.b64decode(rec["data"])
            lines = raw.split(b"\r\n")
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            compat = email.message_from_bytes(raw)
            defects = [type(d).__name__ for d in msg.defects]
            parts = []
            for part in msg.walk():
                defects += [type(d).__name__ for d in part.defects]
                if part.is_multipart():
                    parts.append({"content_type": part.get_content_type(), "multipart": True})
                    continue
                payload = part.get_payload(decode=True) or b""
                parts.append({
                    "content_type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "cte": part.get("Content-Transfer-Encoding", ""),
                    "filename": part.get_filename(),
                    "disposition": part.get_content_disposition(),
                    "bytes": base64.b64encode(payload).decode(),
                    "text": payload.decode(part.get_content_charset() or "utf-8", "replace")
                    if part.get_content_maintype() == "text" else None,
                })
            date = msg.get("Date")
            out.append({
                "mail_from": rec["mail_from"],
                "rcpt_tos": rec["rcpt_tos"],
                "status": rec["status"],
                "auth_user": rec.get("auth_user"),
                "peer_port": rec.get("peer_port"),
                "tls": rec.get("tls", False),
                "defects": defects,
                "headers": {k: str(v) for k, v in msg.items()},
                "raw_headers": [f"{k}: {v}" for k, v in compat.items()],
                "header_names": [k for k in compat.keys()],
                "date_valid": bool(date) and email.utils.parsedate_to_datetime(str(date)) is not None,
                "max_line": max(len(l) for l in lines),
                "bare_lf": raw.replace(b"\r\n", b"").count(b"\n"),
                "raw": rec["data"],
                "raw_ascii": all(b < 128 for b in raw),
                "parts": parts,
            })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
