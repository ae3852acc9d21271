"""The Singer SDK's standard tap tests, run against a sandbox over HTTP."""

from __future__ import annotations

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_activecampaign.sandbox import SandboxServer
from tap_activecampaign.tap import TapActiveCampaign
from tests.conftest import TEST_KEY

# The standard suite builds its test class at import time from a fixed config, so its
# sandbox starts here; it serves from a daemon thread until the test process ends.
_SANDBOX = SandboxServer(seed=5, api_key=TEST_KEY, counts={"contacts": 300, "deals": 150})
_SANDBOX.start()

TestTapActiveCampaign = get_tap_test_class(
    tap_class=TapActiveCampaign,
    config={
        "api_url": _SANDBOX.url,
        "api_key": TEST_KEY,
        "start_date": "2019-01-01T00:00:00Z",
        "max_requests_per_second": 1000,
    },
    suite_config=SuiteConfig(max_records_limit=120),
)
