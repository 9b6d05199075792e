"""Sending: HTTP POST of JSON (Slack incoming webhook, generic webhook) and SMTP.

Retries with exponential backoff on 5xx, timeouts and refused connections; a 4xx
is not retried. Errors name the channel and host, never the URL path (a Slack
webhook's path is its secret) or a password.
"""

from __future__ import annotations

import json
import smtplib
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from props_contracts.errors import PropsContractsError


class DeliveryError(PropsContractsError):
    """An alert channel still failed after its retries."""


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    backoff_seconds: float = 0.5
    timeout_seconds: float = 5.0


def redact(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}/***"


def post_json(channel: str, url: str, payload: dict, retry: Retry) -> None:
    body = json.dumps(payload).encode()
    last = "no attempt made"
    for attempt in range(1, retry.attempts + 1):
        req = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=retry.timeout_seconds) as resp:
                resp.read()
                return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500:
                break  # the request itself is wrong: retrying will not help
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "timed out" if isinstance(reason, (TimeoutError, socket.timeout)) else type(reason).__name__
        if attempt < retry.attempts:
            time.sleep(retry.backoff_seconds * 2 ** (attempt - 1))
    raise DeliveryError(f"{channel} alert to {redact(url)} failed after {attempt} attempt(s): {last}")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool


def send_email(smtp: Smtp, msg: EmailMessage, retry: Retry) -> None:
    last = "no attempt made"
    for attempt in range(1, retry.attempts + 1):
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=retry.timeout_seconds) as conn:
                if smtp.starttls:
                    conn.starttls()
                if smtp.user:
                    conn.login(smtp.user, smtp.password or "")
                conn.send_message(msg)
                return
        except smtplib.SMTPAuthenticationError as exc:
            last = f"authentication refused ({exc.smtp_code})"
            break
        except (smtplib.SMTPException, OSError) as exc:
            last = type(exc).__name__
        if attempt < retry.attempts:
            time.sleep(retry.backoff_seconds * 2 ** (attempt - 1))
    raise DeliveryError(f"email alert via {smtp.host}:{smtp.port} failed after {attempt} attempt(s): {last}")
