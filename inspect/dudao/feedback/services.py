"""Writes for named feedback: submit (with attachments) and handle through the workflow."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.errors import N_, ValidationError
from dudao.core.filekinds import holds_what_it_says
from dudao.feedback.models import CATEGORIES, FeedbackAttachment, FeedbackItem, FeedbackKind
from dudao.org.models import Unit
from dudao.workflow.engine import Applied, apply

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".txt"}
#: A file of another kind, in the same words from a service and, before sending, the page.
UNSUPPORTED = N_("%(file)s: only PDF, images, DOCX, XLSX or TXT files can be attached.")
#: A file whose contents are not of the kind its name says (core/filekinds.py).
MISNAMED = N_("%(file)s does not hold what its name says (%(suffix)s); attach the file itself.")


#: A problem with a submission: an English message id (translated when shown) and its values.
Problem = tuple[str, dict[str, Any]]


class Refused(ValidationError):
    """A submission that cannot be saved; `located` keeps each problem translatable."""

    def __init__(self, located: list[Problem]) -> None:
        super().__init__(
            "The feedback cannot be submitted.", [text % params for text, params in located]
        )
        self.located = located


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str


def submit_feedback(
    session: Session,
    actor: Any,
    *,
    unit: Unit,
    kind: FeedbackKind,
    category: str,
    title: str,
    body: str,
    uploads: list[Upload],
    data_dir: Path,
) -> FeedbackItem:
    """A new item in state `received`, its attachments written to disk; the caller commits."""
    problems: dict[str, Problem] = {}
    if category not in CATEGORIES:
        problems["category"] = (N_("Choose a category."), {})
    if not title.strip():
        problems["title"] = (N_("A title is needed."), {})
    if not body.strip():
        problems["body"] = (N_("Say what the feedback is."), {})
    files: list[Problem] = []  # every file's problem, not only the last one's
    if len(uploads) > MAX_ATTACHMENTS:
        files.append((N_("Attach at most %(n)s files."), {"n": MAX_ATTACHMENTS}))
    for upload in uploads:
        suffix = PurePath(upload.filename).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            files.append((UNSUPPORTED, {"file": upload.filename}))
        elif len(upload.data) > MAX_ATTACHMENT_BYTES:
            files.append((N_("%(file)s is larger than 10 MB."), {"file": upload.filename}))
        elif not holds_what_it_says(suffix, upload.data):
            files.append((MISNAMED, {"file": upload.filename, "suffix": suffix}))
    if problems or files:
        raise Refused([*problems.values(), *files])
    item = FeedbackItem(
        kind=str(kind), unit_id=unit.id, author_id=getattr(actor, "id", None), category=category,
        title=title.strip(), body=body.strip(), workflow="feedback", state="received",
    )  # fmt: skip
    session.add(item)
    session.flush()
    folder = data_dir / "feedback" / str(item.id)
    for upload in uploads:
        folder.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16)
        suffix = PurePath(upload.filename).suffix.lower()
        (folder / f"{name}{suffix}").write_bytes(upload.data)
        session.add(
            FeedbackAttachment(
                id=name, item_id=item.id, filename=PurePath(upload.filename).name[:255],
                path=f"feedback/{item.id}/{name}{suffix}", size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                content_type=upload.content_type[:100] or "application/octet-stream",
            )
        )  # fmt: skip
    session.flush()
    record(session, actor, "feedback.submitted", "feedback_item", item.id, None,
           {"kind": item.kind, "unit_id": unit.id, "category": category, "title": item.title,
            "attachments": len(uploads)})  # fmt: skip
    return item


def handle(
    session: Session, actor: Any, item: FeedbackItem, action: str, *, expected_version: int,
    comment: str = "",
) -> Applied:  # fmt: skip
    """A workflow action; `answer` also keeps the answer on the item for its author.
    A comment of blanks is no comment: the workflow requires one to answer or reopen."""
    comment = comment.strip()
    applied = apply(
        session, actor, item, action, expected_version=expected_version,
        fields={"comment": comment},
    )  # fmt: skip
    if action == "answer":
        item.answer = comment
        item.answered_by_id = getattr(actor, "id", None)
        item.answered_at = utcnow()
        session.flush()
    return applied
