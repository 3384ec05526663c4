"""Background work: the pusher (and, later, periodic sync and channel renewal)."""
