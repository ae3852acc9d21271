"""Allow ``python -m tap_activecampaign``."""

from tap_activecampaign.tap import TapActiveCampaign

TapActiveCampaign.cli()
