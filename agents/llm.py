"""The optional language model: routing for the supervisor, prose for codesmith.

`AGENTSTREAM_LLM` unset (the default): no model, the deterministic agents run. A string: a chat
model name for langchain's `init_chat_model` (e.g. ``"openai:gpt-4o-mini"``; with
``OPENAI_BASE_URL`` any OpenAI-compatible server, a local one included), which needs the `llm`
extra (``pip install -e ".[llm]"``). A chat model object (any langchain-core `BaseChatModel`,
such as its fake chat models in tests) is used as it is.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from agents.conf import conf

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


def chat_model() -> Any | None:
    """Return the configured chat model, or None for the deterministic path.

    The first call for a model name imports langchain and builds the model: call it from a
    thread (`get_model` does), never on the server's event loop.
    """
    spec = conf.LLM
    if not spec:
        return None
    if isinstance(spec, str):
        return _init(spec)
    return spec


@functools.lru_cache(maxsize=4)
def _init(name: str) -> Any:
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ImproperlyConfigured(
            f'AGENTSTREAM_LLM={name!r} needs the optional model packages: pip install -e ".[llm]"'
        ) from exc
    return init_chat_model(name, temperature=0)


async def get_model() -> Any | None:
    """`chat_model()` in a worker thread: its imports and set-up never block the event loop."""
    if not conf.LLM:
        return None
    return await asyncio.to_thread(chat_model)


async def ask(model: Any, system: str, prompt: str) -> str:
    """Send one system + user message to `model` (from `get_model`); return its text answer."""
    from langchain_core.messages import HumanMessage, SystemMessage

    answer = await model.ainvoke([SystemMessage(content=system), HumanMessage(content=prompt)])
    return text_of(answer)


def text_of(message: Any) -> str:
    """Return the text of a chat model's answer (content may be a string or a list of parts)."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)


def json_object(text: str) -> dict[str, Any] | None:
    """Return the JSON object in a model's answer (code fences and chatter around it allowed)."""
    match = _JSON_OBJECT.search(text)
    if match is None:
        return None
    try:
        value = json.loads(match.group())
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
