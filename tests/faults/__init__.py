"""The fault suite (issue 9): real daphne processes on the suite's own PostgreSQL and Redis,
broken on purpose, with every client, the database and each process's footprint checked.

Run it alone: ``.venv/bin/python -m pytest -m faults tests/faults`` (about five minutes).

- Services (`services.py`, session fixtures in `conftest.py`): a ``redis-server`` child and a
  throwaway PostgreSQL cluster (``initdb``/``pg_ctl``, as the ``postgres`` user when run as
  root), each on a spare loopback port, migrated once; never the machine's own services. Tests
  kill/restart Redis and stop/start PostgreSQL on the same port; finalisers stop and remove both
  even when a test fails, and every child process dies with the test process (PDEATHSIG).
- Processes (`processes.py`): ``daphne`` serving `tests.faults.probe` (the project's ASGI
  application plus a read-only ``/__faults__/stats`` of tasks and live stream objects), the
  emitter (`emitter.py`, the bus in a process of its own, driven over stdin), a ``runworker``.
  Each logs to a file of its own in the test's tmp folder, kept for a failed test.
- Clients (`clients.py`): followers that reconnect with their last seq as the documented clients
  do and record every seq and every way a connection ended; stalled sockets that never read.
- Checks (`checks.py`): the database holds exactly what was emitted; footprints (Redis channels,
  client connections, RSS, fds, threads, tasks, stream objects) return to their start; a process
  logs one WARNING and one INFO per outage.
"""
