#!/usr/bin/env python3
"""A throwaway SMTP server (aiosmtpd) for the email handler tests.

Listens on 127.0.0.1 on a free port, prints the port on stdout, and appends one JSON line per DATA to --log:
{"mail_from", "rcpt_tos", "data" (raw bytes, base64), "status", "auth_user", "peer_port"} — the client's
port, the same for messages sent over one connection.
Answers by recipient local part: reject550* -> 550 at RCPT, tempfail* -> 451 at RCPT,
rejectdata* -> 554 at end of DATA, tempdata-once* -> 451 at end of DATA the first time a Message-ID is seen.
With --auth user:password, AUTH is required and checked (allowed without TLS unless TLS is on).
With --tls-cert/--tls-key, STARTTLS is offered and required before MAIL; with --smtps as well, the
connection is TLS from the first byte instead. Each record's "tls" says whether the message came over TLS.
"""
import argparse
import asyncio
import base64
import email
import json
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--auth")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--smtps", action="store_true")
    args = parser.parse_args()
    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    seen_ids = set()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            local = address.split("@", 1)[0].lower()
            if local.startswith("reject550"):
                return "550 5.1.1 No such user here"
            if local.startswith("tempfail"):
                return "451 4.3.0 Mailbox busy, try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or b""
            locals_ = [a.split("@", 1)[0].lower() for a in envelope.rcpt_tos]
            status = 250
            reply = "250 2.0.0 OK queued as spooltest"
            if any(l.startswith("rejectdata") for l in locals_):
                status, reply = 554, "554 5.6.0 Message refused by policy"
            elif any(l.startswith("tempdata-once") for l in locals_):
                mid = email.message_from_bytes(raw).get("Message-ID", "")
                if mid not in seen_ids:
                    seen_ids.add(mid)
                    status, reply = 451, "451 4.3.2 Please try again"
            login = getattr(session, "auth_data", None)
            user = login.login.decode() if isinstance(login, LoginPassword) else None
            record = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                      "data": base64.b64encode(raw).decode(), "status": status, "auth_user": user,
                      "peer_port": session.peer[1] if session.peer else None,
                      "tls": server.transport.get_extra_info("ssl_object") is not None}
            with open(args.log, "a") as f:
                f.write(json.dumps(record) + "\n")
            return reply

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=context is not None)
    if context is not None and not args.smtps:
        kwargs.update(tls_context=context, require_starttls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(Handler(), hostname="spool-test.local", data_size_limit=50_000_000, **kwargs)

    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0,
                                                        ssl=context if args.smtps else None))
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
