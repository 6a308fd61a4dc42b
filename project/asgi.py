"""ASGI entry point: HTTP through Django, WebSockets through Channels (daphne serves both), and
the `agents` channel for `manage.py runworker agents`."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  needs the app registry
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from streaming.log.bus.shutdown import install_server_drain  # noqa: E402
from streaming.runs.worker import WORKER_CHANNEL, AgentsWorkerConsumer  # noqa: E402
from streaming.site.routing import websocket_urlpatterns  # noqa: E402
from streaming.transports.daphne import install as install_daphne_options  # noqa: E402

install_server_drain()
install_daphne_options()  # 1009 for huge frames; flow control for slow clients

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
        # `manage.py runworker agents`: worker processes that run workflows (AGENTSTREAM_RUNNER).
        "channel": ChannelNameRouter({WORKER_CHANNEL: AgentsWorkerConsumer.as_asgi()}),
    }
)
