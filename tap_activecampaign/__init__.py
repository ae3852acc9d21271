"""Singer tap for ActiveCampaign."""
