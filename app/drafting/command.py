"""The `sectorfacts draft` subcommand: draft an annotation file for an article, or measure the drafter."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.config import Settings
from app.db import create_database
from app.drafting.draft import DraftError, draft_file, render_relations
from app.drafting.evaluation import evaluate, evaluate_numbers, evaluate_relations
from app.drafting.known import Known, known_from_database, known_from_seed
from app.drafting.relations import propose_relations, read_gold
from app.services.annotations import SeedError
from seed.loader import DEFAULT_ANNOTATIONS


def add_draft_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `draft` on the `sectorfacts` parser."""
    draft = commands.add_parser(
        "draft",
        help="draft an annotation file for a new article (claims, entities, themes) for a curator",
        description="Split ARTICLE into sentences and propose one claim per body sentence with its kind, "
        "themes and entities (known names and new capitalised ones), written as a valid annotation file "
        "for a curator to finish and load with `sectorfacts seed FILE`. No network, no models.",
    )
    draft.add_argument("article", nargs="?", help="the article, a UTF-8 text file")
    draft.add_argument(
        "--out",
        metavar="FILE",
        help="the draft to write (default: STEM.draft.yaml beside ARTICLE); the article is copied beside it",
    )
    draft.add_argument(
        "--from-seed",
        metavar="PATH",
        default=str(DEFAULT_ANNOTATIONS),
        help="annotation file with the known themes, entities and claims (default: the seed)",
    )
    draft.add_argument(
        "--from-database",
        action="store_true",
        help="take the known themes, entities and claims from SECTORFACTS_DATABASE_URL instead",
    )
    draft.add_argument(
        "--evaluate",
        action="store_true",
        help="instead of drafting, measure the drafter against the hand annotations of --from-seed",
    )
    draft.add_argument(
        "--relations",
        metavar="FILE",
        help="instead of drafting, propose the same-as and part-of relations that the spans of FILE's claims "
        "prove (those FILE does not list yet, as YAML to paste) and score them against FILE's relations",
    )
    draft.add_argument(
        "--numbers",
        metavar="FILE",
        action="append",
        help="instead of drafting, score the quantity and date extractors and the validity proposals on a "
        "file of hand-labelled sentences (e.g. tests/drafting/fixtures/quantities-dates.yaml); repeatable",
    )
    draft.add_argument(
        "--holdout",
        choices=["section", "sentence", "none"],
        default="section",
        help="with --evaluate: which claims the theme vocabulary of a sentence is learnt without",
    )
    draft.add_argument(
        "--names-only",
        action="store_true",
        help="with --evaluate: learn themes without their descriptions (written from the seed article)",
    )
    draft.set_defaults(handler=run_draft)


def _known(args: argparse.Namespace, settings: Settings) -> tuple[Known, str]:
    if args.from_database:
        database = create_database(settings)
        try:
            return known_from_database(database), "the database"
        finally:
            database.dispose()
    return known_from_seed(Path(args.from_seed)), str(args.from_seed)


def run_relations(path: Path) -> int:
    """Print the relations the spans of `path`'s claims prove that it does not list, then their scores."""
    try:
        gold = read_gold(path)
        scores = evaluate_relations(path)
    except SeedError as error:
        print(error, file=sys.stderr)
        return 1
    listed = {r.key for r in gold.relations or []}
    proposed = propose_relations(gold.claims)
    new = [r for r in proposed if r.key not in listed]
    print(
        f"# The spans of {path} prove {len(proposed)} relation(s) (same-as, part-of): "
        f"{len(proposed) - len(new)} listed in it already, {len(new)} not listed yet"
    )
    if new:
        print("\n".join(render_relations(new)))
    for row in scores.rows():
        print(f"# {row}")
    return 0


def run_numbers(paths: list[Path]) -> int:
    """Print the quantity, date and validity figures on each labelled file, with the errors behind them."""
    for index, path in enumerate(paths):
        try:
            scores = evaluate_numbers(path)
        except ValueError as error:
            print(f"sectorfacts: draft --numbers refused: {error}", file=sys.stderr)
            return 1
        print(("\n" if index else "") + scores.table())
    return 0


def run_draft(args: argparse.Namespace, settings: Settings) -> int:
    """Handler of `sectorfacts draft`."""
    if args.relations:
        return run_relations(Path(args.relations))
    if args.evaluate:
        try:
            report, _ = evaluate(Path(args.from_seed), holdout=args.holdout, descriptions=not args.names_only)
        except SeedError as error:
            print(error, file=sys.stderr)
            return 1
        print(report.table())
        if args.numbers:
            print()
    if args.numbers:
        return run_numbers([Path(path) for path in args.numbers])
    if args.evaluate:
        return 0
    if not args.article:
        print("sectorfacts: draft needs an ARTICLE (or --evaluate)", file=sys.stderr)
        return 2
    article = Path(args.article)
    out = Path(args.out) if args.out else article.with_name(f"{article.stem}.draft.yaml")
    try:
        known, source = _known(args, settings)
        draft = draft_file(article, out, known, known_source=source)
    except (SeedError, DraftError, OSError, SQLAlchemyError) as error:
        print(f"sectorfacts: draft refused: {error}", file=sys.stderr)
        return 1
    print(f"sectorfacts: drafted {article} -> {out} (the article is copied beside it as {draft.text_file})")
    for line in draft.summary().splitlines():
        print(f"  {line}")
    print(f"next: finish {out} (its header says how), then `sectorfacts seed {out}`")
    return 0
