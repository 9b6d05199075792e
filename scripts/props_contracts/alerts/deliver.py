"""Sending: HTTP POST of JSON (Slack incoming webhook, generic webhook) and SMTP.

What counts as delivered: a 2xx answer read in full (HTTP), or a message the SMTP
server accepted for every recipient. Anything else is a DeliveryError for that
channel, never an exception of another kind, so one broken channel cannot stop
the others.

- Only https:// URLs, plus http:// to a loopback host (tests), are posted to.
- Redirects are not followed (a POST turned into a bodiless GET is not a
  delivery): a 3xx is a failure and is not retried.
- Retries with exponential backoff on 5xx, timeouts, refused or broken
  connections and garbled answers; a 3xx or 4xx is not retried.
- `Retry.timeout_seconds` bounds each attempt as a whole (connect, TLS, send,
  every read), not each socket operation: a server dripping one byte at a time
  is cut off at the deadline.
- Errors name the channel and host, never the URL path or query (a Slack
  webhook's path is its secret), a password, or text the server sent.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import json
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from functools import partial
from urllib.parse import SplitResult, urlsplit

from props_contracts.errors import PropsContractsError, UsageError
from props_contracts.textsafe import strip_control


class DeliveryError(PropsContractsError):
    """An alert channel still failed after its retries."""


class UnsafeUrlError(UsageError):
    """A webhook URL that must not be posted to. The message never holds the URL's
    path or query, which may be a secret."""


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    backoff_seconds: float = 0.5
    timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        if not (isinstance(self.attempts, int) and 1 <= self.attempts <= 10):
            raise UsageError(f"retry attempts must be a whole number from 1 to 10, got {self.attempts!r}")
        if not 0 <= self.backoff_seconds <= 60:  # also false for nan
            raise UsageError(f"retry backoff must be from 0 to 60 seconds, got {self.backoff_seconds!r}")
        if not 0 < self.timeout_seconds <= 120:
            raise UsageError(f"retry timeout must be more than 0 and at most 120 seconds, "
                             f"got {self.timeout_seconds!r}")


MAX_BACKOFF_SECONDS = 60.0  # one wait between attempts, however many attempts
MAX_RESPONSE_BYTES = 1 << 20  # an answer body longer than this is not read to its end

_LOOPBACK_NAMES = ("localhost", "localhost.")
_SCHEMES_NAMED_IN_ERRORS = ("http", "https", "file", "ftp", "ftps", "sftp", "ssh", "ws", "wss", "mailto",
                            "data", "javascript", "gopher", "smtp", "smtps")


# --- URLs ------------------------------------------------------------------------------------

def redact(url: str) -> str:
    """scheme://host[:port]/*** -- never the path, query, fragment or user info."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<malformed URL>/***"
    scheme = parts.scheme if parts.scheme in _SCHEMES_NAMED_IN_ERRORS else "?"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return strip_control(f"{scheme}://{host}{':' + str(port) if port else ''}/***")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address: only "localhost" is known to be local
        return False


def check_url(url: object) -> SplitResult:
    """The parts of a URL that may be posted to; UnsafeUrlError otherwise."""
    if not isinstance(url, str) or not url:
        raise UnsafeUrlError("is empty or not text")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UnsafeUrlError("contains whitespace or control characters (a stray newline?)")
    if not url.isascii():
        raise UnsafeUrlError("contains non-ASCII characters (percent-encode the path, punycode the host)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrlError("is not a valid URL (bad host or port)") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        named = f"'{scheme}://'" if scheme in _SCHEMES_NAMED_IN_ERRORS else "no http(s) scheme"
        raise UnsafeUrlError(f"must be an https:// URL (http:// only to 127.0.0.1, ::1 or localhost); "
                             f"got {named}")
    if not parts.hostname:
        raise UnsafeUrlError(f"has no host ({scheme}:///***)")
    if port == 0:
        raise UnsafeUrlError(f"has port 0 ({redact(url)})")
    if scheme == "http" and not _is_loopback(parts.hostname):
        raise UnsafeUrlError(f"{redact(url)} would send the alert unencrypted: use https:// "
                             "(plain http:// is allowed only to 127.0.0.1, ::1 or localhost)")
    return parts


# --- one deadline per attempt ----------------------------------------------------------------

def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _connect(host: str, port: int, deadline: float) -> socket.socket:
    """TCP connection to the first address of `host` that answers, all tries
    together bounded by the deadline (socket.create_connection gives each address
    the whole timeout). The name lookup itself is the resolver's to bound."""
    last: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
        except OSError as exc:  # kept, and raised if no other address answers
            sock.close()
            last = exc
            if isinstance(exc, TimeoutError):
                break  # the deadline has passed: no time for another address
            continue
        return sock
    raise last if last is not None else OSError(f"no address for {host}")


class _DeadlineReader(io.RawIOBase):
    """A socket's raw reader that re-arms the socket timeout with the time left
    before each recv, so that all reads together end by the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # holds the socket open until closed, as makefile does
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _deadline_file(sock: socket.socket, deadline: float) -> io.BufferedReader:
    return io.BufferedReader(_DeadlineReader(sock, deadline))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *, deadline: float, **kw) -> None:
        super().__init__(sock, **kw)
        self.fp.close()  # the plain makefile() reader: reads go through the deadline instead
        self.fp = _deadline_file(sock, deadline)


class _DeadlineConnection(http.client.HTTPConnection):
    """HTTP(S) connection whose connect, TLS handshake, send and every read are
    bounded by one deadline. Follows no redirects (http.client never does)."""

    def __init__(self, host: str, port: int, deadline: float, tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port, timeout=_remaining(deadline))
        self._deadline = deadline
        self._tls = tls
        if tls is not None:
            self.default_port = http.client.HTTPS_PORT  # Host header without ":443"
        self.response_class = partial(_DeadlineResponse, deadline=deadline)

    def connect(self) -> None:
        sock = _connect(self.host, self.port, self._deadline)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls is not None:
                sock.settimeout(_remaining(self._deadline))  # the handshake as a whole
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def send(self, data) -> None:
        if self.sock is not None:
            self.sock.settimeout(_remaining(self._deadline))
        super().send(data)


def _post_once(parts: SplitResult, body: bytes, timeout: float) -> int:
    """One POST; the HTTP status once the whole answer was read."""
    deadline = time.monotonic() + timeout
    https = parts.scheme.lower() == "https"
    port = parts.port or (http.client.HTTPS_PORT if https else http.client.HTTP_PORT)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _DeadlineConnection(parts.hostname, port, deadline, ssl.create_default_context() if https else None)
    try:
        conn.connect()
        conn.request("POST", target, body=body, headers={"Content-Type": "application/json",
                                                         "User-Agent": "props-contracts-alerts",
                                                         "Connection": "close"})
        resp = conn.getresponse()
        read = 0
        while read <= MAX_RESPONSE_BYTES:
            chunk = resp.read(64 * 1024)
            if not chunk:
                if resp.length:  # the connection ended before the promised Content-Length
                    raise http.client.IncompleteRead(b"", resp.length)
                break
            read += len(chunk)
        return resp.status
    finally:
        conn.close()


def _reason(exc: BaseException) -> str:
    """What went wrong, without anything a server or a URL put in the message."""
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({strip_control(exc.verify_message or 'unverified')[:80]})"
    if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, smtplib.SMTPException):
        return f"{type(exc).__name__} ({strip_control(exc.strerror)[:80]})"
    return type(exc).__name__


def _backoff(retry: Retry, attempt: int) -> None:
    time.sleep(min(retry.backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))


# --- HTTP ------------------------------------------------------------------------------------

def post_json(channel: str, url: str, payload: dict, retry: Retry) -> None:
    """POST `payload` as JSON to `url`; returns only when a 2xx answer came back.
    Every failure is a DeliveryError naming the channel and the redacted URL."""
    try:
        parts = check_url(url)
    except UnsafeUrlError as exc:
        raise DeliveryError(f"{channel} alert not sent: the URL {exc}") from exc
    where = f"{channel} alert to {redact(url)}"
    try:
        body = json.dumps(payload, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise DeliveryError(f"{where} not sent: the payload is not valid JSON ({type(exc).__name__})") from exc
    last = "no attempt made"
    attempt = 0
    for attempt in range(1, retry.attempts + 1):
        try:
            status = _post_once(parts, body, retry.timeout_seconds)
        except ssl.SSLCertVerificationError as exc:
            last = _reason(exc)
            break  # an untrusted certificate stays untrusted
        except (http.client.HTTPException, OSError, ValueError) as exc:
            last = _reason(exc)  # garbled answer, timed out, refused, reset, TLS, bad chunk
        else:
            if 200 <= status < 300:
                return
            last = f"HTTP {status}"
            if 300 <= status < 400:
                last += " (a redirect: not followed; point the URL at the final address)"
                break
            if not 500 <= status < 600:
                break  # the request itself is wrong: retrying will not help
        if attempt < retry.attempts:
            _backoff(retry, attempt)
    raise DeliveryError(f"{where} failed after {attempt} attempt(s): {last}")


# --- SMTP ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool


class _DeadlineSMTP(smtplib.SMTP):
    """smtplib.SMTP whose connect, every command sent and every reply line read
    (also after STARTTLS) are bounded by one deadline."""

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        super().__init__(timeout=_remaining(deadline))

    def _get_socket(self, host, port, timeout):
        return _connect(host, port, self._deadline)

    def send(self, s) -> None:
        if self.sock is not None:
            self.sock.settimeout(_remaining(self._deadline))
        super().send(s)

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = _deadline_file(self.sock, self._deadline)
        return super().getreply()


def _send_once(smtp: Smtp, msg: EmailMessage, timeout: float) -> dict:
    """One SMTP session; the recipients the server refused (empty: all accepted)."""
    conn = _DeadlineSMTP(time.monotonic() + timeout)
    try:
        code, _ = conn.connect(smtp.host, smtp.port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, "unexpected greeting")
        if smtp.starttls:
            conn.starttls(context=ssl.create_default_context())
        if smtp.user:
            conn.login(smtp.user, smtp.password or "")
        return conn.send_message(msg)
    finally:
        conn.close()  # no QUIT: the message is accepted at the end of DATA, nothing after can undo it


def send_email(smtp: Smtp, msg: EmailMessage, retry: Retry) -> None:
    """Send `msg`; returns only when the server accepted it for every recipient.
    Every failure is a DeliveryError naming host and port, never the password."""
    where = f"email alert via {strip_control(str(smtp.host))[:100]}:{smtp.port}"
    last = "no attempt made"
    attempt = 0
    for attempt in range(1, retry.attempts + 1):
        try:
            refused = _send_once(smtp, msg, retry.timeout_seconds)
        except smtplib.SMTPAuthenticationError as exc:
            last = f"authentication refused ({exc.smtp_code})"
            break
        except ssl.SSLCertVerificationError as exc:
            last = _reason(exc)
            break  # an untrusted certificate stays untrusted
        except smtplib.SMTPRecipientsRefused as exc:
            last = f"every recipient refused: {', '.join(sorted(map(strip_control, exc.recipients)))}"
            break
        except smtplib.SMTPNotSupportedError as exc:
            last = f"server does not support what is needed ({type(exc).__name__}: STARTTLS, AUTH or SMTPUTF8)"
            break
        except smtplib.SMTPResponseException as exc:
            last = f"{type(exc).__name__} ({exc.smtp_code})"
            if 500 <= exc.smtp_code < 600:
                break  # permanent: retrying will not help
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out, TLS
            last = _reason(exc)
        except ValueError as exc:  # a message or address that cannot be encoded
            last = _reason(exc)
            break
        else:
            if not refused:
                return
            # accepted for some: sending again would duplicate it for those
            last = f"server refused {len(refused)} recipient(s): {', '.join(sorted(map(strip_control, refused)))}"
            break
        if attempt < retry.attempts:
            _backoff(retry, attempt)
    raise DeliveryError(f"{where} failed after {attempt} attempt(s): {last}")
