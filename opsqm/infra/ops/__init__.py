"""Running OpsQM in production: `opsqm check`, backup and restore, /healthz and /metrics,
the request id in the logs (docs/operations.md)."""
