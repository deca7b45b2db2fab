"""Notifiers: one class per outgoing channel, all following the `Notifier` protocol.

| channel    | class              | destination                               |
|------------|--------------------|-------------------------------------------|
| "email"    | `SmtpNotifier`     | the recipient's email address             |
| "webhook"  | `WebhookNotifier`  | a URL receiving signed JSON               |
| "wecom"    | `WeComNotifier`    | a WeCom (企业微信) group robot URL         |
| "dingtalk" | `DingTalkNotifier` | a DingTalk (钉钉) custom robot URL         |
| "feishu"   | `FeishuNotifier`   | a Feishu/Lark (飞书) custom bot URL        |
| "slack"    | `SlackNotifier`    | a Slack incoming webhook URL              |

A notifier sends once or raises `DeliveryError(retryable=...)`; retrying is the outbox's job.
"""

from alerts.notifiers.base import DeliveryError, Notifier, test_message, utc_now
from alerts.notifiers.dingtalk import DingTalkNotifier, dingtalk_sign
from alerts.notifiers.factory import SETTINGS_KEYS, SettingsError, notifier_from_settings
from alerts.notifiers.feishu import FeishuNotifier, feishu_sign
from alerts.notifiers.slack import SlackNotifier
from alerts.notifiers.smtp import SmtpNotifier
from alerts.notifiers.webhook import WebhookNotifier, sign, verify_signature
from alerts.notifiers.wecom import WeComNotifier

__all__ = [
    "SETTINGS_KEYS",
    "DeliveryError",
    "DingTalkNotifier",
    "FeishuNotifier",
    "Notifier",
    "SettingsError",
    "SlackNotifier",
    "SmtpNotifier",
    "WeComNotifier",
    "WebhookNotifier",
    "dingtalk_sign",
    "feishu_sign",
    "notifier_from_settings",
    "sign",
    "test_message",
    "utc_now",
    "verify_signature",
]
