"""A hit on a FollowTheMoney list shows the entry's topics in words and the relation that
links it to another listed entry, in the reader's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.pipeline import run_screening
from aml_screen.settings import Settings
from aml_screen.store.loading import hit_entries, load_run, register_batch
from aml_screen.store.models import Alert
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import add_user
from tests.web.client import database, login

FTM = Path(__file__).parents[1] / "watchlists" / "data" / "ftm" / "entities.ftm.json"


@pytest.fixture(scope="module")
def daughter_alert(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> int:
    folder = tmp_path_factory.mktemp("ftm")
    batch_file = folder / "ftm_batch.csv"
    batch_file.write_text(
        "transaction_id,booked_at,amount,currency,originator_name,beneficiary_name\n"
        "F1,2026-11-30T10:00:00Z,25000000,XOF,Moussa Diarra,Aminata Keita\n",
        encoding="utf-8")
    lists = load_watchlists([str(FTM)], Settings(sources_file=folder / "none.yaml"))
    run = run_screening([batch_file], lists, threshold=85)
    with database(app).transaction() as session:
        batch, _ = register_batch(session, batch_file.name, "e" * 64, 1, None)
        load_run(session, batch, run, hit_entries(lists, run.hits))
    with database(app).transaction() as session:
        return session.scalars(select(Alert.id).where(Alert.subject_name == "Aminata Keita")
                               ).one()


@pytest.mark.parametrize(("language", "topic", "relation"), [
    ("en", "Relative or close associate of a PEP", "daughter of Seydou Abdoulaye Keïta"),
    ("fr", "Proche ou associé(e) d&#39;une PPE", "fille de Seydou Abdoulaye Keïta"),
])
def test_hit_card_shows_topics_and_relation(app: Flask, daughter_alert: int, language: str,
                                            topic: str, relation: str) -> None:
    user = f"reader_{language}"
    add_user(database(app), user, "investigator", language=language)
    client = app.test_client()
    login(client, user)
    page = client.get(f"/alerts/{daughter_alert}").get_data(as_text=True)
    card = page[page.index('id="hits"'):]
    assert topic in card[card.index('class="topics"'):]
    assert relation in card[card.index('class="listed-relation"'):]
