"""Adding documents with their text, correcting their metadata, and replacing their text by a new
version (its claims re-anchored exactly, or orphaned: app/services/anchoring.py)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from app.db import Database
from app.schemas.documents import DocumentPublic, TextReplaced
from app.schemas.writes import DocumentCreate, DocumentPatch, DocumentVersionCreate
from app.services import anchoring
from app.services.claim_bodies import of_document
from app.services.claims import current_claim
from app.services.documents import current_document
from app.services.search.index import reindex_claims
from app.services.tables import CLAIM, DOCUMENT
from app.services.writes import edits
from app.services.writes.errors import Conflict
from app.services.writes.history import record
from app.services.writes.revisions import Current, require_if_match
from app.services.writes.transaction import Actor, transacted, writing

# Each claim shows its document as its source.
DOCUMENTS = edits.Editable("document", DOCUMENT, "id", find=current_document, shown_in=of_document)


@transacted
def create_document(connection: Connection, actor: Actor, body: DocumentCreate) -> Current[DocumentPublic]:
    """Add a document with its text (held: its version 1), or without (cited); 409 if the id is taken."""
    if current_document(connection, body.id) is not None:
        raise Conflict(f"A document {body.id!r} already exists.")
    # A document without text is cited: no checksum either.
    sha256 = anchoring.sha256(body.text) if body.text is not None else None
    connection.execute(insert(DOCUMENT).values(**body.model_dump(), sha256=sha256))
    if body.text is not None:
        anchoring.add_version(connection, body.id, body.text)
    return DOCUMENTS.created(connection, actor, body.id)


def update_document(
    database: Database, actor: Actor, document_id: str, if_match: str | None, body: DocumentPatch
) -> Current[DocumentPublic]:
    """Merge-patch a document's metadata at the revision If-Match names."""
    return DOCUMENTS.update(database, actor, document_id, if_match, DOCUMENTS.assigning(body.changes()))


def replace_text(
    database: Database, actor: Actor, document_id: str, if_match: str | None, body: DocumentVersionCreate
) -> TextReplaced:
    """Replace a held document's text by a new version at the revision If-Match names, in one
    transaction: the version recorded, the document's revision bumped, each quoted claim re-anchored
    where its quote with its context occurs exactly once in the new text and orphaned elsewhere (each
    claim that moved or was orphaned gets a revision and a change of its own), their stored answers and
    search entries rewritten. 409 for a cited document, or for the text it already has."""
    if_match = require_if_match(if_match)
    with writing(database) as connection:
        before = DOCUMENTS.load(connection, document_id, if_match)
        if not before.public.text_held:
            raise Conflict(
                f"The document {document_id!r} is cited: the API holds none of its text, so it has no "
                "versions (its claims paraphrase it)."
            )
        if body.text == before.public.text:
            raise Conflict(
                f"The text is already version {before.public.current_version} of {document_id!r}; "
                "nothing to replace."
            )
        version = anchoring.add_version(connection, document_id, body.text, body.note)
        DOCUMENTS.bump(connection, before, {"text": body.text, "sha256": anchoring.sha256(body.text)})
        changed, reanchored, orphaned = _reanchor(connection, document_id, version, body.text)
        claims_before = {claim_id: current_claim(connection, claim_id) for claim_id in changed}
        _write_placements(connection, version, changed)
        after = current_document(connection, document_id)
        assert after is not None
        DOCUMENTS.refresh_bodies(connection, after)
        if changed:
            reindex_claims(connection, sorted(changed))
        DOCUMENTS.log(connection, actor, "update", before, after)
        for claim_id, claim_before in claims_before.items():
            claim_after = current_claim(connection, claim_id)
            record(connection, actor, "update", claim_before, claim_after)
    return TextReplaced(
        document_id=document_id,
        version=version,
        sha256=anchoring.sha256(body.text),
        length=len(body.text),
        reanchored=reanchored,
        orphaned=orphaned,
    )


Placements = dict[str, tuple[int, int] | None]


def _reanchor(
    connection: Connection, document_id: str, version: int, text: str
) -> tuple[Placements, int, list[str]]:
    """Where each quoted claim of the document stands in the new text: the claims whose anchor changes
    (re-anchored: their new span; newly orphaned: None), how many were re-anchored, and the ids of all
    that are orphaned now (those already orphaned that the new text does not hold either, too)."""
    claims = connection.execute(
        select(
            CLAIM.c.id,
            CLAIM.c.document_id,
            CLAIM.c.anchor_version,
            CLAIM.c.span_start,
            CLAIM.c.span_end,
            CLAIM.c.orphaned,
        )
        .where(CLAIM.c.document_id == document_id, CLAIM.c.quote.is_not(None))
        .order_by(CLAIM.c.span_start, CLAIM.c.span_end, CLAIM.c.id)
    ).all()
    texts = anchoring.version_texts(connection, ((c.document_id, c.anchor_version) for c in claims))
    was_orphaned = {c.id for c in claims if c.orphaned}
    changed: Placements = {}
    reanchored = 0
    orphaned: list[str] = []
    for placement in anchoring.place_claims(texts, claims, text):
        if placement.span is not None:
            reanchored += 1
            changed[placement.claim_id] = placement.span
        else:
            orphaned.append(placement.claim_id)
            if placement.claim_id not in was_orphaned:
                changed[placement.claim_id] = None
    return changed, reanchored, orphaned


def _write_placements(connection: Connection, version: int, changed: Placements) -> None:
    """Write each changed claim's anchor, with its next revision: a re-anchored claim's new span in
    `version`; an orphaned claim keeps its span and version, and is marked."""
    for claim_id, span in changed.items():
        values: dict[str, object] = {"orphaned": True}
        if span is not None:
            values = {"span_start": span[0], "span_end": span[1], "anchor_version": version}
            values["orphaned"] = False
        connection.execute(
            update(CLAIM).where(CLAIM.c.id == claim_id).values(**values, revision=CLAIM.c.revision + 1)
        )
