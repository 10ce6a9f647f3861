"""One page of a filtered list (alerts, cases, audit events): the same arithmetic and the
same shape everywhere, so every list pages (and filters by assignee) the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from aml_screen.store.models import User

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    more: bool = False
    """More rows match than ``total`` says: the count stopped at a cap."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_rows(session: Session, query: Select[*tuple[Any, ...]], requested: int,
              per_page: int) -> Page[Any]:
    """The rows of ``query`` (already filtered and ordered) on page ``requested``, clamped to
    the pages that exist, with the total count of matching rows."""
    total = session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(requested, pages))
    rows = list(session.execute(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items=rows, total=total, page=page, per_page=per_page)


def capped(query: Select[*tuple[Any, ...]], cap: int) -> ScalarSelect[int]:
    """The count of ``query``'s rows up to ``cap + 1`` at most, as a scalar subquery (several
    go in one statement): a result above ``cap`` means "more than ``cap``". The cost is
    bounded by the cap, not by the table."""
    limited = query.order_by(None).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited).scalar_subquery()


def capped_count(session: Session, query: Select[*tuple[Any, ...]], cap: int) -> int:
    """``capped`` run on its own."""
    return session.scalar(select(capped(query, cap))) or 0


def assigned_to(column: InstrumentedAttribute[int | None], choice: str | None,
                viewer_id: int | None) -> ColumnElement[bool] | None:
    """The assignee filter of a list: ``none`` (unassigned), ``me`` (the viewer), a user
    name, or no condition when none was chosen."""
    if choice == "none":
        return column.is_(None)
    if choice == "me":
        return column == viewer_id
    if choice:
        return column == select(User.id).where(User.username == choice).scalar_subquery()
    return None


def ids_in(session: Session, column: InstrumentedAttribute[int], ids: list[int]
           ) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL (thousands of ids
    bound one by one cost more to compile and send than to look up), ``IN`` elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)
