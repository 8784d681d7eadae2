"""Delete every RabbitMQ exchange and queue of a topology prefix (used by scripts/e2e.sh).

python scripts/drop_topology.py PREFIX [AMQP_URL]
"""

from __future__ import annotations

import asyncio
import sys

from nudge.bus.topology import Topology, delete_topology

if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1]:
        raise SystemExit("usage: drop_topology.py PREFIX [AMQP_URL] (an empty prefix is refused)")
    url = sys.argv[2] if len(sys.argv) > 2 else "amqp://guest:guest@127.0.0.1:5672/"
    asyncio.run(delete_topology(url, Topology(sys.argv[1])))
