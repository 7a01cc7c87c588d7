"""Mail that could not be delivered at once (SMTP down, outbox folder not writable), kept
in the database and retried by `flask mail retry` (a systemd timer) with back-off."""
