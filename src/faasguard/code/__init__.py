"""Reading function source: SDK calls, taint flows from the event to sinks, secrets and handler hygiene."""
