"""The transports: how clients follow a session's log. The WebSocket consumer (`websocket`,
its frames in `frames`), the Server-Sent Events stream (`sse`), who may read or control a session
(`access`), and the hook through which the room above serves controls (`controls`)."""
