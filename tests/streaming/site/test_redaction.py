"""Share tokens stay out of logs: the redaction, its log filter, the project's logging config."""

from __future__ import annotations

import logging

from streaming.site.redaction import RedactShareTokens, redact_tokens


def test_redact_tokens():
    assert redact_tokens("GET /api/x/?token=s3cr-et_&after=2") == (
        "GET /api/x/?token=[redacted]&after=2"
    )
    assert redact_tokens("/ws/?a=1&token=abc") == "/ws/?a=1&token=[redacted]"
    assert redact_tokens("nothing here") == "nothing here"


def test_the_log_filter_redacts_messages_and_arguments(caplog):
    logger = logging.getLogger("django.channels.server")
    handler_filter = RedactShareTokens()
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="django.channels.server"):
            logger.info("HTTP %(method)s %(path)s", {"method": "GET", "path": "/e?token=abc"})
            logger.info("GET %s", "/api/sessions/1/stream/?token=xyz&after=1")
            logger.info("plain /x?token=inline")
    finally:
        logger.removeFilter(handler_filter)
    text = caplog.text
    assert "abc" not in text
    assert "xyz" not in text
    assert "inline" not in text
    assert text.count("token=[redacted]") == 3


def test_the_project_logging_config_redacts_the_console_handler():
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert "redact_tokens" in handler["filters"]
