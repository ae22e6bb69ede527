"""The translator as an agent among other services: consumes product events from a bus, translates,
and publishes what it did through the outbox. `worker.py` runs it; `translator.py` decides per event."""
