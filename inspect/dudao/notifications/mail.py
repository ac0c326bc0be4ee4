"""E-mail copies of notifications through SMTP, each sent at most once.

`DUDAO_SMTP_URL` is `smtp://[user:password@]host[:port]` (add `?starttls=1` for
STARTTLS) or `smtps://...` for TLS from the start. A batch of notifications is
claimed first (`emailed_at` set in one UPDATE ... WHERE emailed_at IS NULL and
committed), then sent; so two workers never send the same one, and a failed send
gives its claim back for the next run. A worker killed between claim and send
loses that e-mail (the in-app notification stays): at most once, never twice.

A person with several notifications in one run gets them in one e-mail, grouped by
kind: a schedule that assigns an inspector 150 checks sends one message, not 150. The
e-mail is written in the recipient's language (the account's, else Chinese), titles
included (`notifications.titles`).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from itertools import groupby
from urllib.parse import parse_qs, unquote, urlsplit

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dudao.auth.models import User
from dudao.config import Settings
from dudao.core.database import transaction, utcnow
from dudao.core.language import DEFAULT_LOCALE, LOCALES
from dudao.notifications.models import Notification
from dudao.notifications.services import KINDS
from dudao.notifications.titles import title_in

log = logging.getLogger(__name__)

#: Older notifications are not mailed (e.g. when SMTP is configured on a running system).
MAX_AGE = timedelta(days=3)
BATCH = 200


def smtp_connect(url: str, timeout: float = 20) -> smtplib.SMTP:
    """`url` is the settings' DUDAO_SMTP_URL, whose form `config.load_settings` checked."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            parts.hostname, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
        if parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls(context=ssl.create_default_context())
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def _kind(kind: str) -> str:
    return gettext(KINDS[kind]) if kind in KINDS else kind


def _texts(n: Notification) -> list[str]:
    """What a notification says below its title: a timer's due date, then the body."""
    due = gettext("Due %(date)s", date=n.due_on.isoformat()) if n.due_on else ""
    return [text for text in (due, n.body) if text]


def _message(
    settings: Settings, notifications: list[Notification], address: str, locale: str
) -> EmailMessage:
    """One notification as it is; several as a digest, grouped by kind in KINDS' order;
    in `locale`, the recipient's language."""
    site = settings.site_url or ""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = address
    with force_locale(locale):
        if len(notifications) == 1:
            [one] = notifications
            message["Subject"] = f"[{_kind(one.kind)}] {title_in(one, locale)}"
            text = "\n".join(_texts(one)) + (f"\n\n{site}{one.link}" if one.link else "")
            message.set_content(text.strip() + "\n")
            return message
        count = len(notifications)
        message["Subject"] = ngettext(
            "[Dudao] %(num)d new notification", "[Dudao] %(num)d new notifications", count
        )
        order = {kind: i for i, kind in enumerate(KINDS)}
        ordered = sorted(notifications, key=lambda n: (order.get(n.kind, len(order)), n.id))
        parts = []
        for kind, group in groupby(ordered, key=lambda n: n.kind):
            members = list(group)
            lines = [f"{_kind(kind)} ({len(members)})"]
            for n in members:
                lines.append(f"- {title_in(n, locale)}")
                lines += [f"  {text}" for text in (*_texts(n), n.link and site + n.link) if text]
            parts.append("\n".join(lines))
    message.set_content("\n\n".join(parts) + "\n")
    return message


def _claim(session: Session) -> list[tuple[int, str, str]]:
    """Mark a batch as e-mailed (one UPDATE); return (id, address, language) of those this
    run owns."""
    candidates = session.execute(
        select(Notification.id, User.email, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.created_at >= utcnow() - MAX_AGE,
            User.email.is_not(None),
            User.email != "",
            User.active.is_(True),
        )
        .order_by(Notification.id)
        .limit(BATCH)
    ).all()
    if not candidates:
        return []
    recipients = {
        nid: (address, locale if locale in LOCALES else DEFAULT_LOCALE)
        for nid, address, locale in candidates
    }
    claimed = session.scalars(
        update(Notification)
        .where(Notification.id.in_(list(recipients)), Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .returning(Notification.id)
    ).all()
    return [(nid, *recipients[nid]) for nid in sorted(claimed)]


def send_pending(factory: sessionmaker[Session], settings: Settings) -> int:
    """Mail every unsent notification of users with an address; return how many were mailed."""
    if not settings.smtp_url:
        return 0
    sent = 0
    while True:
        with transaction(factory) as session:
            claimed = _claim(session)
        if not claimed:
            return sent
        failed: list[int] = []
        with transaction(factory) as session:
            notifications = {
                n.id: n
                for n in session.scalars(
                    select(Notification).where(Notification.id.in_([i for i, *_ in claimed]))
                )
            }
        try:
            client = smtp_connect(settings.smtp_url)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("SMTP server unreachable (%s); e-mails wait for the next run.", exc)
            failed = [i for i, *_ in claimed]
        else:
            by_address: dict[tuple[str, str], list[int]] = {}
            for nid, address, locale in claimed:
                by_address.setdefault((address, locale), []).append(nid)
            with client:
                for (address, locale), ids in by_address.items():
                    batch = [notifications[i] for i in ids]
                    try:
                        client.send_message(_message(settings, batch, address, locale))
                        sent += len(ids)
                    except (OSError, smtplib.SMTPException) as exc:
                        log.warning("E-mail for notifications %s failed: %s", ids, exc)
                        failed.extend(ids)
        if failed:
            with transaction(factory) as session:
                session.execute(
                    update(Notification).where(Notification.id.in_(failed)).values(emailed_at=None)
                )
            return sent
