"""`[notify]`: where reports go — one table per channel (Telegram, Slack, webhooks) and one for the
channels plugins add. The channels themselves (tolk.notify) read these; config only composes them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tolk import plugins


class TelegramSettings(BaseModel):
    """`[notify.telegram]`: the report by Bot API sendMessage; the same bot answers ops commands."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr = SecretStr("")  # from @BotFather; say "${TOLK_TELEGRAM_TOKEN}"
    chat_ids: list[int] = Field(default_factory=list)  # where reports go
    allowed_chat_ids: list[int] = Field(default_factory=list)  # who may command the bot (default: chat_ids)
    base_url: str = "https://api.telegram.org"


class SlackAppSettings(BaseModel):
    """`[slack]`: the Slack app `tolk serve` answers at /slack/… (Events API, the /tolk slash command, the
    "Translate" message shortcut). Not the report channel: that is [notify] slack_webhook."""

    model_config = ConfigDict(extra="forbid")

    signing_secret: SecretStr  # the app's Signing Secret: every request is verified with it
    bot_token: SecretStr  # xoxb-…: chat.postEphemeral, conversations.members, users.info
    base_url: str = "https://slack.com/api"
    admins: list[str] = Field(default_factory=list)  # user IDs allowed the ops commands (none: nobody)
    # channels whose messages are translated for each member in their language (none: no channel;
    # "*": every channel the bot is in)
    channels: list[str] = Field(default_factory=list)
    engine: str | None = None
    profile: str | None = None
    timeout_s: float = Field(10.0, gt=0)


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    secret: SecretStr = SecretStr("")  # HMAC-SHA256 key of the X-Tolk-Signature header


class NotifySettings(BaseModel):
    """`[notify]`: where the scheduled report goes."""

    model_config = ConfigDict(extra="forbid")

    telegram: TelegramSettings | None = None
    slack_webhook: SecretStr | None = None  # a Slack incoming-webhook URL (it is the secret)
    webhooks: list[WebhookSettings] = Field(default_factory=list)
    timeout_s: float = Field(10.0, gt=0)
    # a channel an installed package adds (entry points `tolk.notifiers`): `[notify.channels.<kind>]`,
    # read by that channel's own `from_settings`
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _installed(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name in value:
            plugins.known(plugins.NOTIFIERS, name, "'{value}' is not an installed channel (known: {known})")
        return value
