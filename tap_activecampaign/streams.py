"""One class per ActiveCampaign table; each only declares what differs."""

from __future__ import annotations

from tap_activecampaign.client import ActiveCampaignStream


class ContactsStream(ActiveCampaignStream):
    """Contacts (people), changed since the bookmark, read by id ranges side by side."""

    name = "contacts"
    resource = "contacts"
    replication_key = "udate"
    updated_after_param = "filters[updated_after]"
    sort_params = {"orders[id]": "ASC"}
    keyset_paging = True


class AccountsStream(ActiveCampaignStream):
    """Accounts (companies); ``count_deals`` makes the API fill the contact/deal counts."""

    name = "accounts"
    resource = "accounts"
    extra_params = {"count_deals": "true"}


class DealsStream(ActiveCampaignStream):
    """Deals changed since the bookmark, and stubs (no ``mdate``) for hidden pipelines."""

    name = "deals"
    resource = "deals"
    replication_key = "mdate"
    updated_after_param = "filters[updated_after]"
    sort_params = {"orders[cdate]": "ASC"}


class DealStagesStream(ActiveCampaignStream):
    """Stages of the deal pipelines."""

    name = "deal_stages"
    resource = "dealStages"
    sort_params = {"orders[title]": "ASC"}


class DealGroupsStream(ActiveCampaignStream):
    """Deal pipelines."""

    name = "deal_groups"
    resource = "dealGroups"
    sort_params = {"orders[title]": "ASC"}


class CampaignsStream(ActiveCampaignStream):
    """Email campaigns with their send and engagement counters."""

    name = "campaigns"
    resource = "campaigns"
    sort_params = {"orders[sdate]": "ASC"}


class ListsStream(ActiveCampaignStream):
    """Mailing lists; ``filters[channel]=all`` adds the SMS lists hidden by default."""

    name = "lists"
    resource = "lists"
    sort_params = {"orders[id]": "ASC"}
    extra_params = {"filters[channel]": "all"}


class SegmentsStream(ActiveCampaignStream):
    """Saved contact segments."""

    name = "segments"
    resource = "segments"


class FormsStream(ActiveCampaignStream):
    """Subscription forms, with their layout kept as loosely typed objects."""

    name = "forms"
    resource = "forms"


class TagsStream(ActiveCampaignStream):
    """Contact and template tags."""

    name = "tags"
    resource = "tags"
    sort_params = {"orders[search]": "ASC"}


class AutomationsStream(ActiveCampaignStream):
    """Automations (workflows)."""

    name = "automations"
    resource = "automations"
    sort_params = {"orders[cdate]": "ASC"}


class CustomFieldsStream(ActiveCampaignStream):
    """Definitions of the contact custom fields (``/fields``)."""

    name = "custom_fields"
    resource = "fields"


STREAM_TYPES: tuple[type[ActiveCampaignStream], ...] = (
    ContactsStream,
    AccountsStream,
    DealsStream,
    DealStagesStream,
    DealGroupsStream,
    CampaignsStream,
    ListsStream,
    SegmentsStream,
    FormsStream,
    TagsStream,
    AutomationsStream,
    CustomFieldsStream,
)
