"""The API's blueprint and what every operation module reads from the request: the caller
(set by ``access.authorise``) and their user row. Operation modules register on ``bp``;
``web.api.views`` imports them all, so the blueprint is complete once it is registered."""

from __future__ import annotations

from flask import Blueprint, g
from sqlalchemy.orm import Session

from aml_screen.store.api_tokens import TokenHolder
from aml_screen.store.models import User
from web import csrf
from web.api.problems import API_PREFIX

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # a bearer token in a header is no cookie a forged form could carry


def caller() -> TokenHolder:
    holder: TokenHolder = g.api_caller
    return holder


def caller_user(db: Session) -> User:
    return db.get_one(User, caller().user_id)
