"""A test SMTP server (aiosmtpd 1.4) for hoadon-mail's tests.

usage: python smtp_sink.py PORT DIR [REFUSE_FIRST]

Listens on 127.0.0.1:PORT and prints "ready" once it accepts connections. Each message received
is written to DIR as NNN.eml (the DATA bytes, as received) and NNN.rcpt (the envelope recipients,
one per line). The first REFUSE_FIRST (default 0) DATA commands are answered
"451 4.3.0 try again later" and nothing is written. A recipient whose address starts with
"nobody@" is refused with "550 5.1.1 no such user". Runs until killed.
"""

import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, refuse_first):
        self.directory = directory
        self.refuse_left = refuse_first
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left > 0:
            self.refuse_left -= 1
            return "451 4.3.0 try again later"
        self.count += 1
        base = os.path.join(self.directory, "%03d" % self.count)
        # Written before the reply: once the client has its 250, the files are there.
        with open(base + ".rcpt.tmp", "w") as f:
            f.write("".join(r + "\n" for r in envelope.rcpt_tos))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(base + ".rcpt.tmp", base + ".rcpt")
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 OK"


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    refuse_first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    controller = Controller(
        Sink(directory, refuse_first), hostname="127.0.0.1", port=port, decode_data=False
    )
    controller.start()  # returns once the server answers on the port
    print("ready", flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
