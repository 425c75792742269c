"""Migrations match the models, and the demo seed is idempotent and restores pinned fields."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from lac.db.models import AdminUser, ConfigValue, Customer, Role, RoleResource
from lac.db.seed import seed_demo
from tests.support import Api


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrations_build_exactly_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == []


async def row_counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        counts[table.name] = (await session.exec(select(func.count()).select_from(table))).one()
    return counts


async def test_seeding_twice_changes_nothing(db_session: AsyncSession) -> None:
    before = await row_counts(db_session)
    await seed_demo(db_session)
    assert await row_counts(db_session) == before
    assert before["customer"] == 4
    assert before["sales_order"] == 4


async def test_seed_puts_pinned_fields_back(api: Api, db_session: AsyncSession) -> None:
    jane = (
        await db_session.exec(select(Customer).where(Customer.email == "jane.doe@example.com"))
    ).one()
    jane.allow_remote_shopping_assistance = False
    support = (
        await db_session.exec(select(AdminUser).where(AdminUser.username == "support"))
    ).one()
    support.is_active = False
    support.password_hash = "not-a-hash"
    viewer_role = (await db_session.exec(select(Role).where(Role.name == "Viewer"))).one()
    db_session.add(RoleResource(role_id=viewer_role.id or 0, resource_id="Magento_User::acl_users"))
    enabled = (
        await db_session.exec(
            select(ConfigValue).where(ConfigValue.path == "login_as_customer/general/enabled")
        )
    ).one()
    enabled.value = "0"
    await db_session.commit()

    await seed_demo(db_session)

    assert jane.allow_remote_shopping_assistance is True
    assert support.is_active is True
    assert enabled.value == "1"
    viewer_resources = (
        await db_session.exec(
            select(RoleResource.resource_id).where(col(RoleResource.role_id) == viewer_role.id)
        )
    ).all()
    assert sorted(viewer_resources) == ["Magento_Customer::manage", "Magento_Sales::sales_order"]
    assert await api.admin_token("support", "Support123!")
