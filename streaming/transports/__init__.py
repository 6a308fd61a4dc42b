"""Channels consumers of the streaming app: the WebSocket (`websocket`); SSE is a Django view."""
