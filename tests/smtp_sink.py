"""A tiny local SMTP server for tests (RFC 5321 as far as smtplib needs it) and fixtures:
`smtp` (the running sink: `.received`, `.refuse`) and `mail_app` (the app sending to it).
Loaded for every test module through `pytest_plugins` in conftest.py."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from email.message import Message

import pytest


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SMTPServer = self.server  # type: ignore[assignment]
        self._reply("220 localhost test SMTP")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline().decode().rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 localhost")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                if server.refuse:
                    self._reply("451 Try again later")
                else:
                    server.received.append(
                        (
                            recipients,
                            email.message_from_bytes(b"".join(lines), policy=email.policy.default),
                        )
                    )
                    self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("250 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.received: list[tuple[list[str], Message]] = []
        self.refuse = False


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def mail_app(app, smtp):
    runtime = app.extensions["dudao"]
    runtime.settings = dataclasses.replace(
        runtime.settings,
        smtp_url=f"smtp://127.0.0.1:{smtp.server_address[1]}",
        mail_from="dudao@example.org",
    )
    return app
