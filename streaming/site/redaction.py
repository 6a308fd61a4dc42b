"""Keeping share tokens out of logs: they ride in URLs (``?token=``), and URLs get logged.

Django logs paths without their query string, but daphne's and Channels' `runserver` request
logs (``django.channels.server``) carry the full path. `RedactShareTokens` is a logging filter
for the handlers (project/settings.py). This module imports no models: logging is configured
before the app registry is ready. daphne's own ``--access-log`` stream bypasses logging; see
docs/transports.md.
"""

from __future__ import annotations

import logging
import re

_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s\"']*")


def redact_tokens(text: str) -> str:
    """Return `text` with the value of every ``token=`` parameter replaced."""
    return _TOKEN_IN_TEXT.sub(r"\1[redacted]", text)


class RedactShareTokens(logging.Filter):
    """A logging filter that removes share tokens from a record's message and arguments.

    Covers Django's and daphne's `runserver` request logs (``django.channels.server``), which
    log the full path with its query string. Attach it to handlers (see project/settings.py).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(v) for v in record.args)
        return True


def _redact_arg(value: object) -> object:
    return redact_tokens(value) if isinstance(value, str) and "token=" in value else value
