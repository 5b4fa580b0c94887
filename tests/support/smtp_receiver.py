#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A real SMTP relay for tests (aiosmtpd): STARTTLS (or implicit TLS) with a given certificate,
AUTH PLAIN/LOGIN required after TLS, each accepted message written to OUT_DIR as NNNN.json
({"mail_from", "rcpt_tos", "data"}; written to a temporary name and renamed, so a reader never
sees half a file). Listens on 127.0.0.1:PORT (0 = any free port) and writes the port it got to
READY_FILE once it accepts connections. Stops on SIGTERM.

usage: smtp_receiver.py --cert PEM --key PEM --user U --password P --out DIR --ready FILE
                        [--port N] [--implicit-tls]
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.out_dir, "%04d-%d.json" % (self.count, os.getpid()))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
        }
        with open(name + ".part", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(name + ".part", name)
        return "250 OK queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--implicit-tls", action="store_true")
    args = p.parse_args()

    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        # handled=False: aiosmtpd answers a failure with 535 (it stays silent otherwise).
        return AuthResult(success=ok, handled=False)

    handler = Handler(args.out)

    def factory():
        return SMTP(handler,
                    hostname="relay.test",
                    tls_context=None if args.implicit_tls else tls,
                    require_starttls=not args.implicit_tls,
                    authenticator=authenticator,
                    auth_required=True,
                    # Implicit TLS wraps the transport: aiosmtpd only sees STARTTLS as TLS.
                    auth_require_tls=not args.implicit_tls,
                    timeout=30)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", args.port,
                           ssl=tls if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    with open(args.ready + ".part", "w") as f:
        f.write("%d\n" % port)
    os.rename(args.ready + ".part", args.ready)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
