"""Health probes for load balancers and monitoring: /healthz and /readyz (docs/architecture.md)."""
