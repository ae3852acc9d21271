"""The tap: settings, the list of streams, and how a run starts and fails."""

from __future__ import annotations

import json
import sys
from types import FrameType
from typing import IO, Any

import requests
from singer_sdk import Tap
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.singerlib import StateMessage
from typing_extensions import override

from tap_activecampaign.access import check_access
from tap_activecampaign.budget import RequestBudget
from tap_activecampaign.client import ActiveCampaignStream
from tap_activecampaign.errors import ActiveCampaignError
from tap_activecampaign.logs import filter_run_logs
from tap_activecampaign.output import RecordBufferingWriter
from tap_activecampaign.settings import CONFIG_SCHEMA, api_base_url, api_key, config_problems
from tap_activecampaign.streams import STREAM_TYPES
from tap_activecampaign.version import USER_AGENT

USER_FACING_ERRORS = (
    ActiveCampaignError,
    FatalAPIError,
    RetriableAPIError,
    requests.RequestException,
)


class TapActiveCampaign(Tap):
    """Singer tap for the ActiveCampaign REST API v3."""

    name = "tap-activecampaign"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = RecordBufferingWriter

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the config with messages that never quote a setting's value.

        The SDK's own messages repeat the offending value, which may be the API key.
        Discovery passes ``raise_errors=False`` and works without a usable config.

        Raises:
            ActiveCampaignError: The config is incomplete or invalid.
        """
        problems = config_problems(self.config)
        if problems and raise_errors:
            raise ActiveCampaignError("Invalid config: " + "; ".join(problems))
        return problems

    @override
    def discover_streams(self) -> list[ActiveCampaignStream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def check_access(self) -> None:
        """Fail within seconds, with one clear line, on a wrong URL, key or network."""
        api_url = api_base_url(self.config["api_url"])
        rate = float(self.config.get("max_requests_per_second") or 5)
        check_access(
            api_url,
            api_key(self.config),
            timeout=float(self.config.get("request_timeout") or 60),
            user_agent=str(self.config.get("user_agent") or USER_AGENT),
            budget=RequestBudget.for_account(api_url, rate),
        )

    @override
    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        """On SIGTERM or SIGINT, write the state (it is resumable) but exit non-zero.

        The SDK exits 0 here, so an orchestrator would record an interrupted run as done.
        """
        self.write_message(StateMessage(value=self.state))
        self.logger.warning("Interrupted by signal %d; the last state written is resumable", signum)
        sys.exit(128 + signum)

    def report_skipped_streams(self) -> None:
        """Summarise the tables the key may not read; fail if that was every table.

        Raises:
            ActiveCampaignError: No selected stream could be read.
        """
        streams = [s for s in self.streams.values() if isinstance(s, ActiveCampaignStream)]
        skipped = [stream.name for stream in streams if stream.skipped_reason]
        if not skipped:
            return
        if len(skipped) == len([stream for stream in streams if stream.selected]):
            msg = "ActiveCampaign refused every selected table (HTTP 403): check the API key"
            raise ActiveCampaignError(msg)
        self.logger.warning(
            "Finished, but skipped %d table(s) the API key's user may not read: %s",
            len(skipped),
            ", ".join(skipped),
        )

    @override
    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: Any = None,
        state: IO[str] | None = None,
        catalog: IO[str] | None = None,
    ) -> None:
        """Run a sync from the CLI, as the SDK does, with an access check first.

        A problem the user must fix ends the run with one log line and exit code 1
        instead of a traceback.
        """
        super(Tap, cls).invoke(about=about, about_format=about_format)
        cls.print_version(print_fn=cls.logger.info)
        try:
            tap = cls(
                config=config.config if config else None,
                state=None if state is None else _read_json(state, "state"),
                catalog=None if catalog is None else _read_json(catalog, "catalog"),
                parse_env_config=bool(config and config.parse_env),
            )
            filter_run_logs(api_key(tap.config))
            tap.check_access()
            tap.sync_all()
            tap.report_skipped_streams()
        except USER_FACING_ERRORS as exc:
            cls.logger.error("%s", " ".join(str(exc).split()) or type(exc).__name__)  # noqa: TRY400
            sys.exit(1)


def _read_json(source: IO[str], what: str) -> dict[str, Any]:
    """Read the --state or --catalog file, refusing one that is not a JSON object.

    Raises:
        ActiveCampaignError: The file is empty, not JSON, or a state without bookmarks
            per stream.
    """
    unusable = f"The {what} file {source.name} is not a Singer {what}: pass one a run wrote"
    try:
        document = json.load(source)
    except ValueError as exc:
        raise ActiveCampaignError(unusable) from exc
    if not isinstance(document, dict):
        raise ActiveCampaignError(unusable)
    bookmarks = document.get("bookmarks", {})
    if what == "state" and not (
        isinstance(bookmarks, dict) and all(isinstance(b, dict) for b in bookmarks.values())
    ):
        raise ActiveCampaignError(unusable)
    return document
