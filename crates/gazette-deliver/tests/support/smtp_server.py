"""A real SMTP server for gazette's e-mail tests (aiosmtpd, from PyPI).

    python3 smtp_server.py OUTDIR [--tls CERT KEY | --starttls CERT KEY]

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once ready. Each
message received is written to OUTDIR/<n>.eml (the DATA as received) with
OUTDIR/<n>.json (envelope sender and recipients). A recipient whose local part
starts with "refuse" gets 550; with "later", 451 (to test retries).
Exits when its standard input closes.
"""

import asyncio
import json
import os
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print("ERROR aiosmtpd is not installed: pip install aiosmtpd", flush=True)
    sys.exit(3)


class Handler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 queued as gazette-test-%d" % self.count


async def main():
    outdir = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "--plain"
    handler = Handler(outdir)
    context = None
    if mode in ("--tls", "--starttls"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
    loop = asyncio.get_running_loop()
    if mode == "--starttls":
        factory = lambda: SMTP(handler, tls_context=context, require_starttls=True,
                               hostname="localhost")
        server = await loop.create_server(factory, "127.0.0.1", 0)
    elif mode == "--tls":
        factory = lambda: SMTP(handler, hostname="localhost")
        server = await loop.create_server(factory, "127.0.0.1", 0, ssl=context)
    else:
        factory = lambda: SMTP(handler, hostname="localhost")
        server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
