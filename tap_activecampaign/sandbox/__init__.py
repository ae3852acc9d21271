"""An ActiveCampaign-compatible sandbox API server for demos, tests and benchmarks."""

from tap_activecampaign.sandbox.server import SandboxServer

__all__ = ["SandboxServer"]
